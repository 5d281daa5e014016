// Reads the clocks through every wasi-shim API that has one. Each read of the virtual clock
// returns the current time and then ticks it by 1 µs, so every value printed here is exact.

const wall = Date.now();
console.log(`Date.now: ${wall}`);
console.log(`ISO: ${new Date(wall).toISOString()}`);
console.log(`performance.now: ${performance.now()}`);
console.log(`hrtime: ${process.hrtime()}`);

// A busy wait of 1 ms on the monotonic clock: 1000 reads.
const start = performance.now();
let spins = 0;
while (performance.now() - start < 1) spins++;
console.log(`spun ${spins} times`);

console.time("t");
console.timeEnd("t");
console.log(`Date.now: ${Date.now()}`);
