/**
 * The AWS SDK prints a NodeVersionSupportWarning on stderr on Node below 22 (this project supports
 * Node 20). A remote engine's output and coded errors should not come after five lines nobody
 * can act on; a user who wants the warning sets the variable to anything else.
 */
export function quietSdkNodeWarning(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}
