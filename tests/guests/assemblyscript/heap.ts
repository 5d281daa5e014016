// Keeps the AssemblyScript runtime busy (allocation, the incremental GC, growing memory, Map,
// sort, string building) and prints a checksum of the work. With an argument n it then holds n
// MiB at once, to meet the memory limit.

const words = new Map<string, i32>();
for (let i = 0; i < 20000; i++) {
  const word = `w${(i * 7919) % 5003}`;
  words.set(word, words.has(word) ? words.get(word) + 1 : 1);
}
const counts = words.values();
counts.sort((a, b) => b - a);
let garbage = 0;
for (let i = 0; i < 2000; i++) garbage += `${i}`.repeat(100).length;
console.log(`distinct ${words.size}, top ${counts[0]}, bottom ${counts[counts.length - 1]}, garbage ${garbage}`);

if (process.argv.length > 1) {
  const mib = I32.parseInt(process.argv[1]);
  const held = new Array<ArrayBuffer>();
  for (let i = 0; i < mib; i++) held.push(new ArrayBuffer(1 << 20));
  console.log(`holding ${held.length} MiB`);
}
