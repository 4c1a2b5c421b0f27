// Loaded with `node --import` into a spawned CLI: records every native addon the process loads
// (DuckDB's binding is one) and prints them on exit (`native=[…]`), so a test can prove that a
// command never loaded the database.
const loaded = [];
const dlopen = process.dlopen;
process.dlopen = function (module, filename, ...rest) {
  loaded.push(String(filename));
  return dlopen.call(this, module, filename, ...rest);
};
process.on('exit', () => process.stderr.write(`\nnative=${JSON.stringify(loaded)}\n`));
