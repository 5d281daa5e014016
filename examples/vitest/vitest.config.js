// Results print as readable text in snapshots (hermetic-wasi/snapshot).
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    snapshotSerializers: ['hermetic-wasi/snapshot'],
  },
})
