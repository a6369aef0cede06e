/*
 * The file-creation floor of bench/national/run.sh: writes the files of a built site again, with the same
 * relative paths and sizes, into a fresh folder, doing nothing else (no rendering, no hashing, no fsync —
 * hromadata does not fsync either). What this takes is the least any static-site generator can take to
 * write that site on that filesystem.
 *
 *   floor LIST DEST
 *
 * LIST has one file a line: SIZE<TAB>RELATIVE/PATH (as `find SITE -type f -printf '%s\t%P\n'` prints it).
 * DEST must not exist yet. The bytes written are a fixed pattern: file contents do not change the cost.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK (1 << 20)

static char buf[CHUNK];

/* mkdir -p of PATH's parent folders (PATH is modified and restored). */
static int make_parents(char *path) {
    for (char *p = path + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(path, 0755) != 0 && errno != EEXIST) {
            perror(path);
            return -1;
        }
        *p = '/';
    }
    return 0;
}

static int write_file(char *path, long long size) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 && errno == ENOENT) {
        if (make_parents(path) != 0) return -1;
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    }
    if (fd < 0) {
        perror(path);
        return -1;
    }
    while (size > 0) {
        size_t n = size > CHUNK ? CHUNK : (size_t)size;
        ssize_t w = write(fd, buf, n);
        if (w <= 0) {
            perror(path);
            close(fd);
            return -1;
        }
        size -= w;
    }
    return close(fd);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: floor LIST DEST\n");
        return 2;
    }
    FILE *list = fopen(argv[1], "r");
    if (!list) {
        perror(argv[1]);
        return 2;
    }
    if (mkdir(argv[2], 0755) != 0) {
        perror(argv[2]);
        return 2;
    }
    memset(buf, 'x', sizeof buf);
    char *line = NULL, path[8192];
    size_t cap = 0;
    long long files = 0, bytes = 0;
    while (getline(&line, &cap, list) > 0) {
        char *tab = strchr(line, '\t');
        if (!tab) continue;
        long long size = atoll(line);
        tab[strcspn(tab, "\n")] = '\0';
        if (snprintf(path, sizeof path, "%s/%s", argv[2], tab + 1) >= (int)sizeof path) {
            fprintf(stderr, "path too long: %s\n", tab + 1);
            return 2;
        }
        if (write_file(path, size) != 0) return 1;
        files++;
        bytes += size;
    }
    printf("%lld files, %lld bytes\n", files, bytes);
    return 0;
}
