// Prints its arguments and environment, copies stdin to stdout, and writes to stderr: the
// preview1 calls behind wasi-shim's `process` and `console`.

console.log(`argv: ${process.argv.join(" | ")}`);
const keys = process.env.keys();
for (let i = 0; i < keys.length; i++) {
  console.log(`env ${keys[i]}=${process.env.get(keys[i])}`);
}

// wasi-shim's stdin is a bare fd_read: read until it returns 0 bytes (end of stream). The small
// buffer makes a long input take several reads.
const chunk = new ArrayBuffer(16);
const input = new Array<u8>();
let reads = 0;
for (let n = process.stdin.read(chunk); n > 0; n = process.stdin.read(chunk)) {
  const bytes = Uint8Array.wrap(chunk, 0, n);
  for (let i = 0; i < n; i++) input.push(bytes[i]);
  reads++;
}
const copy = new Uint8Array(input.length);
for (let i = 0; i < input.length; i++) copy[i] = input[i];
process.stdout.write(copy.buffer);
console.log(`read ${input.length} bytes in ${reads} reads`);

// Strings of up to 4 ASCII characters take a separate path in wasi-shim's writeString.
process.stdout.write("ok\n");
process.stdout.write("héllo ✓ 🎉\n");
process.stderr.write("to stderr\n");
// wasi-shim's console.error and console.warn write to stdout, with a prefix.
console.error("oops");
console.warn("careful");
