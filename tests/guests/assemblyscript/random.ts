// Draws from both of wasi-shim's randomness sources: Math.random (seeded once from 8 bytes of
// random_get) and crypto.getRandomValues (random_get directly).

const draws = new Array<string>();
for (let i = 0; i < 3; i++) draws.push(Math.random().toString());
console.log(`Math.random: ${draws.join(" ")}`);

const bytes = new Uint8Array(8);
crypto.getRandomValues(bytes);
let hex = "";
for (let i = 0; i < bytes.length; i++) hex += bytes[i].toString(16).padStart(2, "0");
console.log(`getRandomValues: ${hex}`);
