// The randomness a C program can ask for. getentropy reads the sandbox's seeded stream
// directly; arc4random is seeded from it; rand() is not random at all, and srand(time(NULL))
// only seeds it from the (virtual, so fixed) clock.
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static void hex(const char *label, const unsigned char *bytes, size_t n) {
    printf("%s ", label);
    for (size_t i = 0; i < n; i++) printf("%02x", bytes[i]);
    printf("\n");
}

int main(void) {
    unsigned char bytes[16];
    for (int i = 0; i < 2; i++) {
        if (getentropy(bytes, sizeof bytes) != 0) perror("getentropy");
        hex("bytes", bytes, sizeof bytes);
    }
    printf("arc4random %08x %08x\n", arc4random(), arc4random());
    printf("arc4random_uniform(6) %u\n", arc4random_uniform(6));
    printf("rand %d\n", rand());
    srand(time(NULL));
    printf("rand after srand(time(NULL)) %d\n", rand());
    return 0;
}
