// Ends the way its first argument says: a number is process.exit(n) (wrapping to 32 bits, as
// proc_exit takes a u32); "throw" throws an Error, which wasi-shim's abort reports on stderr
// before exiting with 255; "exitCode" sets process.exitCode and returns; "unreachable" traps.

const how = process.argv[1];
console.log(`ending with ${how}`);
if (how == "throw") {
  throw new Error("thrown on purpose");
} else if (how == "exitCode") {
  process.exitCode = 7;
} else if (how == "unreachable") {
  unreachable();
} else {
  process.exit(<i32>I64.parseInt(how));
}
console.log("returned from _start");
