// The classic exercise: read whitespace-separated integers from stdin with scanf until end of
// file and print their count, sum and mean; a word that is not a number stops the reading.
#include <stdio.h>

int main(void) {
    long long sum = 0, value;
    int count = 0;
    while (scanf("%lld", &value) == 1) {
        sum += value;
        count++;
    }
    if (!feof(stdin)) {
        char word[32];
        scanf("%31s", word);
        fprintf(stderr, "not a number: %s\n", word);
        return 1;
    }
    printf("%d numbers, sum %lld", count, sum);
    if (count > 0) printf(", mean %.3f", (double)sum / count);
    printf("\n");
    return 0;
}
