/* bench/scan.py --flush-ms: a disk whose flush takes as long as a real one's.
 *
 * This machine's virtual disk acknowledges fsync in about 0.1 ms (a write cache); a SATA SSD without
 * power-loss protection takes 1 to 3 ms, a spinning disk 5 to 10 ms. Preloaded into both servers the
 * bench compares (LD_PRELOAD), each fsync and fdatasync SQLite makes waits BENCH_FLUSH_US microseconds
 * after the real one has returned, so synchronous=FULL costs what it costs on such a disk: the figure
 * where committing many scans with one flush (group commit) matters. Built by the bench with cc.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>

static void wait_as_a_disk(void) {
    static long micros = -1;
    if (micros < 0) {
        const char *value = getenv("BENCH_FLUSH_US");
        micros = value ? atol(value) : 0;
    }
    struct timespec pause = {micros / 1000000, (micros % 1000000) * 1000};
    while (micros > 0 && nanosleep(&pause, &pause) != 0) {
    }
}

/* The real call (the next library's), then the wait: for each of fsync and fdatasync. */
#define SLOW(name)                                                   \
    int name(int fd) {                                               \
        static int (*real)(int);                                     \
        if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, #name);     \
        int result = real(fd);                                       \
        wait_as_a_disk();                                            \
        return result;                                               \
    }

SLOW(fsync)
SLOW(fdatasync)
