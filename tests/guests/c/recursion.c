// Recurses until the wasm stack is exhausted, printing its depth at every level: the last line
// is how deep it got, which depends on the size of `down`'s frame. Its variable shifts and bit
// counts compile to BMI instructions where Cranelift may use them, which changes the frame
// (0x40 bytes with BMI, 0x50 without); hermetic-wasi compiles for one fixed feature set, so the
// depth is the same on every x86-64 CPU.
#include <stdint.h>
#include <stdio.h>

static volatile uint64_t sink;

// The recursion has no end on purpose: the stack overflow is the point.
#pragma clang diagnostic ignored "-Winfinite-recursion"

__attribute__((noinline)) static uint64_t down(uint64_t d, uint64_t a, uint64_t b, uint32_t s) {
    printf("%llu\n", (unsigned long long)d);
    uint64_t x = (a << (s & 63)) ^ (b >> ((s + 7) & 63)) ^ (uint64_t)__builtin_clzll(a | 1);
    uint64_t y = (b << ((s * 3) & 63)) | (a >> ((s ^ 5) & 63)) | (uint64_t)__builtin_ctzll(b | 2);
    uint64_t z = x * y + (x >> (y & 63)) + (y << (x & 63));
    uint64_t r = down(d + 1, x ^ z, y + z, s + (uint32_t)(z & 31));
    return r + x * (y >> (s & 63)) + (z << (d & 63)) + (uint64_t)__builtin_clzll(r | 1);
}

int main(void) {
    // Line-buffered, so every line is out before the trap ends the program.
    setvbuf(stdout, NULL, _IOLBF, 0);
    sink = down(1, 0x1234567, 0x89abcdef, 3);
    return 0;
}
