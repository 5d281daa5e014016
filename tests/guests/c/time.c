// The clocks a C program reads (time, clock_gettime, gettimeofday) and the ways it sleeps
// (nanosleep, sleep, usleep), printed exactly: in the sandbox every read is deterministic.
#include <stdio.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static long long ns(struct timespec t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }

static void wall(const char *label) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    printf("%s: realtime %lld.%09ld\n", label, (long long)t.tv_sec, t.tv_nsec);
}

int main(void) {
    time_t now = time(NULL);
    char text[64];
    strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S %Z", gmtime(&now));
    printf("time(NULL) = %lld (%s)\n", (long long)now, text);
    strftime(text, sizeof text, "%a %b %e %H:%M:%S %Y", localtime(&now));
    printf("localtime: %s\n", text);
    wall("start");

    struct timespec before, after, res;
    clock_getres(CLOCK_MONOTONIC, &res);
    printf("monotonic resolution: %lld ns\n", ns(res));
    clock_gettime(CLOCK_MONOTONIC, &before);
    printf("monotonic before sleeping: %lld ns\n", ns(before));

    struct timespec nap = {1, 500000000};
    printf("nanosleep(1.5 s) = %d\n", nanosleep(&nap, NULL));
    printf("sleep(2) = %u\n", sleep(2));
    printf("usleep(250000) = %d\n", usleep(250000));
    clock_gettime(CLOCK_MONOTONIC, &after);
    printf("monotonic after sleeping: %lld ns (slept %lld ns)\n", ns(after), ns(after) - ns(before));

    struct timeval tv;
    gettimeofday(&tv, NULL);
    printf("gettimeofday: %lld.%06ld\n", (long long)tv.tv_sec, (long)tv.tv_usec);
    wall("end");
    return 0;
}
