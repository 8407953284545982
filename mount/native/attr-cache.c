// The mount's attribute cache, compiled into the patched fuse-native addon (patched-build.ts includes
// this file). libfuse 2's high-level API asks getattr(path) for every lookup and stat the kernel cannot
// answer from its own 1-second cache; handing each to JavaScript and back costs more than rclone's
// whole request (docs/BENCHMARKS.md, session 16). This cache answers repeated ones on the libfuse thread.
//
// It is kept exact by the JavaScript side (mount/attr-cache.ts):
// - only stats JavaScript marks cacheable are kept (st_dev = STRATA_CACHEABLE_DEV; the kernel never
//   sees st_dev): live entries no handle has open and no pending create, so that only a published
//   change (the Vfs change feed) can alter them;
// - every change the Vfs publishes, and every open for writing through the mount, forgets the path
//   and its parent here before the call that made it returns;
// - a stat read before a forget is not stored after it: a getattr notes a ticket (the cache's epoch,
//   which a reset advances, and the epoch of its path's bucket, which a forget of any path in that
//   bucket advances) and stores its answer only if the ticket still holds;
// - entries expire after ttl_ms (changes made by another process reach this one only through LMDB).
// A cache with ttl_ms 0 (the default) answers nothing, so a mount that does not configure it behaves
// as stock fuse-native. Each mount has its own, emptied at unmount but never freed (~0.8 MiB): libfuse's
// threads may still be answering when the unmount call returns.
#include <time.h>

#define STRATA_CACHEABLE_DEV 0x53545241u
#define STRATA_CACHE_BUCKETS 65536u
#define STRATA_CACHE_MAX_ENTRIES 100000u

struct strata_attr_entry {
  struct strata_attr_entry *next;
  uint64_t hash;
  uint64_t stored_ms;
  struct stat stat;
  char path[];
};

struct strata_attr_cache {
  pthread_mutex_t lock;
  uint32_t epoch;
  uint64_t ttl_ms;
  uint32_t entries;
  struct strata_attr_entry *buckets[STRATA_CACHE_BUCKETS];
  uint32_t bucket_epochs[STRATA_CACHE_BUCKETS];
};

static uint64_t strata_now_ms (void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return (uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000;
}

static uint64_t strata_hash (const char *path, size_t len) {
  uint64_t h = 1469598103934665603ULL;
  for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char) path[i]) * 1099511628211ULL;
  return h;
}

static struct strata_attr_cache *strata_cache_new (void) {
  struct strata_attr_cache *c = calloc(1, sizeof(struct strata_attr_cache));
  if (c != NULL) pthread_mutex_init(&c->lock, NULL);
  return c;
}

static void strata_cache_clear_locked (struct strata_attr_cache *c) {
  for (uint32_t i = 0; i < STRATA_CACHE_BUCKETS; i++) {
    struct strata_attr_entry *e = c->buckets[i];
    while (e != NULL) {
      struct strata_attr_entry *next = e->next;
      free(e);
      e = next;
    }
    c->buckets[i] = NULL;
  }
  c->entries = 0;
}

static uint64_t strata_ticket_locked (struct strata_attr_cache *c, uint64_t h) {
  return ((uint64_t) c->epoch << 32) | c->bucket_epochs[h % STRATA_CACHE_BUCKETS];
}

/**
 * Copies the cached, unexpired stat of `path` into `out` and returns 1; or returns 0 and sets `ticket`,
 * which strata_cache_put needs to store the answer JavaScript gives.
 */
static int strata_cache_get (struct strata_attr_cache *c, const char *path, struct stat *out, uint64_t *ticket) {
  size_t len = strlen(path);
  uint64_t h = strata_hash(path, len);
  int hit = 0;
  pthread_mutex_lock(&c->lock);
  *ticket = strata_ticket_locked(c, h);
  if (c->ttl_ms == 0) {
    pthread_mutex_unlock(&c->lock);
    return 0;
  }
  for (struct strata_attr_entry *e = c->buckets[h % STRATA_CACHE_BUCKETS]; e != NULL; e = e->next) {
    if (e->hash == h && strcmp(e->path, path) == 0) {
      if (strata_now_ms() - e->stored_ms < c->ttl_ms) {
        *out = e->stat;
        hit = 1;
      }
      break;
    }
  }
  pthread_mutex_unlock(&c->lock);
  return hit;
}

// True when `path` is valid UTF-8 as V8 decodes it: JavaScript sees other bytes replaced by U+FFFD, so
// the Vfs's change feed would name such an entry differently and could never forget it here.
static int strata_valid_utf8 (const unsigned char *s) {
  while (*s) {
    unsigned char c = *s;
    if (c < 0x80) { s++; continue; }
    int n = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (n < 0) return 0;
    unsigned char lo = 0x80, hi = 0xbf;
    if (c == 0xe0) lo = 0xa0;
    else if (c == 0xed) hi = 0x9f;
    else if (c == 0xf0) lo = 0x90;
    else if (c == 0xf4) hi = 0x8f;
    if (s[1] < lo || s[1] > hi) return 0;
    for (int i = 2; i <= n; i++) if ((s[i] & 0xc0) != 0x80) return 0;
    s += n + 1;
  }
  return 1;
}

/** Stores `st` for `path`, unless `ticket` (from strata_cache_get) no longer holds. */
static void strata_cache_put (struct strata_attr_cache *c, const char *path, const struct stat *st, uint64_t ticket) {
  if (!strata_valid_utf8((const unsigned char *) path)) return;
  size_t len = strlen(path);
  uint64_t h = strata_hash(path, len);
  pthread_mutex_lock(&c->lock);
  if (c->ttl_ms != 0 && strata_ticket_locked(c, h) == ticket) {
    struct strata_attr_entry **slot = &c->buckets[h % STRATA_CACHE_BUCKETS];
    struct strata_attr_entry *e = *slot;
    while (e != NULL && !(e->hash == h && strcmp(e->path, path) == 0)) e = e->next;
    if (e == NULL) {
      if (c->entries >= STRATA_CACHE_MAX_ENTRIES) strata_cache_clear_locked(c);
      e = malloc(sizeof(struct strata_attr_entry) + len + 1);
      if (e != NULL) {
        memcpy(e->path, path, len + 1);
        e->hash = h;
        e->next = *slot;
        *slot = e;
        c->entries++;
      }
    }
    if (e != NULL) {
      e->stat = *st;
      e->stored_ms = strata_now_ms();
    }
  }
  pthread_mutex_unlock(&c->lock);
}

static void strata_cache_remove_locked (struct strata_attr_cache *c, const char *path, size_t len) {
  uint64_t h = strata_hash(path, len);
  c->bucket_epochs[h % STRATA_CACHE_BUCKETS]++;
  struct strata_attr_entry **slot = &c->buckets[h % STRATA_CACHE_BUCKETS];
  for (; *slot != NULL; slot = &(*slot)->next) {
    struct strata_attr_entry *e = *slot;
    if (e->hash == h && strlen(e->path) == len && memcmp(e->path, path, len) == 0) {
      *slot = e->next;
      free(e);
      c->entries--;
      return;
    }
  }
}

/** Forgets `path` and its parent directory, and advances their buckets' epochs. */
static void strata_cache_forget (struct strata_attr_cache *c, const char *path) {
  size_t len = strlen(path);
  const char *slash = strrchr(path, '/');
  pthread_mutex_lock(&c->lock);
  strata_cache_remove_locked(c, path, len);
  if (slash != NULL) strata_cache_remove_locked(c, slash == path ? "/" : path, slash == path ? 1 : (size_t) (slash - path));
  pthread_mutex_unlock(&c->lock);
}

/** Forgets everything and advances the epoch; `ttl_ms` (0 turns the cache off) takes effect with it. */
static void strata_cache_reset (struct strata_attr_cache *c, uint64_t ttl_ms) {
  pthread_mutex_lock(&c->lock);
  c->epoch++;
  strata_cache_clear_locked(c);
  c->ttl_ms = ttl_ms;
  pthread_mutex_unlock(&c->lock);
}
