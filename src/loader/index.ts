/** The reference warehouse loader (README: "Loading into a warehouse"). */
export { WarehouseLoader, type LoaderOptions } from './warehouse-loader.js';
export { copyColumnType, type CopyColumnType } from './column-types.js';
export { copyTargetOf, type CopyTarget } from './table-shape.js';
