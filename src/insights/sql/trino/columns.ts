/** The events relation's columns: the same in every dialect (../columns.ts). */
export { COLUMNS } from '../columns.js';
