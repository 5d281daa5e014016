// The package's ESM entry: the CommonJS one (main.js), as named exports.
import binding from './main.js'

export const { runWasi, runWasiAsync, Program, Mount } = binding
export default binding
