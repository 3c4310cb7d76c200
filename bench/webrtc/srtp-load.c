/*
 * Media load of the WebRTC relay bench (bench/webrtc-relay.sh): N calls through Parley's relay,
 * each a "browser" (SRTP, AES_CM_128_HMAC_SHA1_80, RFC 3711) on the relay's side a and a plain RTP
 * "phone" on its side b, both sending G.711-sized packets (12-byte header + 160 bytes) at PPS. The
 * browsers' DTLS handshakes were done by browser-handshake.ts, which gave each call's port and
 * SRTP session keys; this process binds the same ports, so the relay sees the same browser.
 * Every payload carries its send time (CLOCK_MONOTONIC), so each direction's one-way latency and
 * loss through the relay are measured: to_phone (SRTP in, RTP out) and to_browser (RTP in, SRTP
 * out, checked and decrypted here). Every 5 s each browser repeats its ICE check (RFC 7675
 * consent freshness, as browsers do). Output: one line of key=value figures.
 *
 * Usage: srtp-load SECONDS PPS < calls
 *   calls: "browserPort portA portB txKey txAuth txSalt rxKey rxAuth rxSalt stunCheck" (hex)
 * Only ever sends to 127.0.0.1. Bounded by SECONDS (+1 s of warm-up and drain).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CALLS 5000
#define PKT 172
#define TAG 10
#define BUCKET_NS 10000LL /* 10 us histogram buckets */
#define BUCKETS 20000     /* up to 200 ms */
#define CONSENT_NS 5000000000LL

/* One direction's SRTP session keys (RFC 3711 4.3.2) with their ready OpenSSL contexts. */
typedef struct {
  unsigned char salt[14];
  EVP_CIPHER_CTX *aes;
  EVP_MAC_CTX *mac;
} keys_t;

typedef struct {
  int fd;
  struct sockaddr_in to;
  uint16_t seq;
  uint32_t ts;
  int64_t next;
} end_t;

typedef struct {
  end_t browser, phone;
  int browser_port, port_a, port_b; /* the browser's own port; the relay's sides a and b */
  keys_t tx, rx;
  unsigned char stun[256];
  size_t stun_len;
  int64_t next_consent;
} call_t;

/* Per direction: 0 = to_phone (browser -> relay -> phone), 1 = to_browser. */
typedef struct {
  uint64_t hist[BUCKETS + 1];
  uint64_t sent, received;
} dir_t;

static call_t calls[MAX_CALLS];
static dir_t dirs[2];
static uint64_t stray, auth_failed, consent_sent, consent_ok;
static int measuring;
static EVP_MAC *hmac;

static int64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int unhex(const char *s, unsigned char *out, size_t max) {
  size_t n = strlen(s);
  if (n % 2 || n / 2 > max) return -1;
  for (size_t i = 0; i < n / 2; i++)
    if (sscanf(s + 2 * i, "%2hhx", &out[i]) != 1) return -1;
  return (int)(n / 2);
}

static int make_keys(keys_t *k, const char *key, const char *auth, const char *salt) {
  unsigned char kb[16], ab[20];
  if (unhex(key, kb, 16) != 16 || unhex(auth, ab, 20) != 20 || unhex(salt, k->salt, 14) != 14) return -1;
  k->aes = EVP_CIPHER_CTX_new();
  EVP_EncryptInit_ex(k->aes, EVP_aes_128_ctr(), NULL, kb, NULL);
  k->mac = EVP_MAC_CTX_new(hmac);
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA1", 0), OSSL_PARAM_construct_end()};
  return EVP_MAC_init(k->mac, ab, sizeof ab, params) == 1 ? 0 : -1;
}

/* RFC 3711 4.1.1: IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16), i = ROC || SEQ (ROC 0:
 * a step's few hundred packets per stream never wrap the sequence number started at 0). */
static void crypt_payload(keys_t *k, unsigned char *b, size_t len) {
  unsigned char iv[16] = {0}, out[PKT];
  int n;
  memcpy(iv, k->salt, 14);
  for (int i = 0; i < 4; i++) iv[4 + i] ^= b[8 + i];
  iv[12] ^= b[2];
  iv[13] ^= b[3];
  EVP_EncryptInit_ex(k->aes, NULL, NULL, NULL, iv);
  EVP_EncryptUpdate(k->aes, out, &n, b + 12, (int)len - 12);
  memcpy(b + 12, out, len - 12);
}

/* RFC 3711 4.2: HMAC-SHA1 over the packet and the ROC, first 80 bits. */
static void tag_of(keys_t *k, const unsigned char *b, size_t len, unsigned char *tag) {
  static const unsigned char roc[4] = {0, 0, 0, 0};
  unsigned char full[20];
  size_t n;
  EVP_MAC_init(k->mac, NULL, 0, NULL); /* the same key again */
  EVP_MAC_update(k->mac, b, len);
  EVP_MAC_update(k->mac, roc, 4);
  EVP_MAC_final(k->mac, full, &n, sizeof full);
  memcpy(tag, full, TAG);
}

static void send_one(call_t *c, int from_browser) {
  end_t *e = from_browser ? &c->browser : &c->phone;
  int64_t t = now_ns();
  unsigned char b[PKT + TAG];
  memset(b, 0xd5, sizeof b);
  b[0] = 0x80;
  b[1] = 0; /* PCMU */
  b[2] = e->seq >> 8;
  b[3] = e->seq & 0xff;
  uint32_t ts = htonl(e->ts), ssrc = htonl((uint32_t)(0x20000 + 2 * (c - calls) + from_browser));
  memcpy(b + 4, &ts, 4);
  memcpy(b + 8, &ssrc, 4);
  memcpy(b + 12, &t, 8);
  b[20] = measuring;
  e->seq++;
  e->ts += 160;
  size_t len = PKT;
  if (from_browser) {
    crypt_payload(&c->tx, b, PKT);
    tag_of(&c->tx, b, PKT, b + PKT);
    len += TAG;
  }
  if (sendto(e->fd, b, len, 0, (struct sockaddr *)&e->to, sizeof e->to) == (ssize_t)len && measuring)
    dirs[from_browser ? 0 : 1].sent++;
}

static void record(int dir, const unsigned char *b) {
  if (!measuring || !b[20]) return; /* warm-up packets */
  int64_t t;
  memcpy(&t, b + 12, 8);
  int64_t d = now_ns() - t;
  long k = d < 0 ? 0 : d / BUCKET_NS;
  if (k > BUCKETS) k = BUCKETS;
  dirs[dir].hist[k]++;
  dirs[dir].received++;
}

/* One datagram per ready event: level-triggered epoll reports the socket again if more wait. */
static void drain(uint32_t id) {
  call_t *c = &calls[id >> 1];
  int at_browser = id & 1;
  unsigned char b[2048], tag[TAG];
  ssize_t n = recv(at_browser ? c->browser.fd : c->phone.fd, b, sizeof b, MSG_DONTWAIT);
  if (n < 0) return;
  if (!at_browser) {
    if (n == PKT) record(0, b);
    else stray++;
    return;
  }
  if (n > 0 && b[0] < 4) { /* RFC 7983: STUN, the answer to a consent check */
    if (n >= 20 && b[0] == 1 && b[1] == 1) consent_ok++;
    return;
  }
  if (n != PKT + TAG) { stray++; return; }
  tag_of(&c->rx, b, PKT, tag);
  if (memcmp(tag, b + PKT, TAG) != 0) { auth_failed++; return; }
  crypt_payload(&c->rx, b, PKT);
  record(1, b);
}

static double pct(const uint64_t *hist, uint64_t received, double q) {
  uint64_t want = (uint64_t)(q * received), acc = 0;
  for (int k = 0; k <= BUCKETS; k++) {
    acc += hist[k];
    if (acc >= want && acc > 0) return (k + 1) * BUCKET_NS / 1e6;
  }
  return 0;
}

static double loss_of(uint64_t sent, uint64_t received) {
  return sent ? 100.0 * (double)(sent - (received > sent ? sent : received)) / (double)sent : 100.0;
}

/* Ticks of TICK_NS as in bench/relay/rtp-load.c: the latency measured is an upper bound. */
#define TICK_NS 250000LL
static void poll_all(int ep) {
  struct epoll_event ev[1024];
  for (;;) {
    int n = epoll_wait(ep, ev, 1024, 0);
    for (int i = 0; i < n; i++) drain(ev[i].data.u32);
    if (n < 1024) return;
  }
}

static void sleep_until(int64_t t) {
  struct timespec ts = {.tv_sec = t / 1000000000LL, .tv_nsec = t % 1000000000LL};
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
  }
}

static void pump(int ep, int64_t until) {
  for (int64_t t = now_ns(); t < until; t += TICK_NS) {
    sleep_until(t);
    poll_all(ep);
  }
}

static int open_end(end_t *e, int bind_port, int to_port) {
  e->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  if (e->fd < 0) return -1;
  int buf = 1 << 20;
  setsockopt(e->fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
  struct sockaddr_in me = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK), .sin_port = htons(bind_port)};
  if (bind(e->fd, (struct sockaddr *)&me, sizeof me) < 0) return -1;
  e->to.sin_family = AF_INET;
  e->to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  e->to.sin_port = htons(to_port);
  return 0;
}

static void send_consent(call_t *c) {
  if (sendto(c->browser.fd, c->stun, c->stun_len, 0, (struct sockaddr *)&c->browser.to, sizeof c->browser.to) > 0)
    consent_sent++;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: srtp-load SECONDS PPS < calls\n");
    return 2;
  }
  double secs = atof(argv[1]);
  int pps = atoi(argv[2]);
  hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
  int n = 0, bp, pa, pb;
  char k[6][64], stun[520];
  while (n < MAX_CALLS &&
         scanf("%d %d %d %63s %63s %63s %63s %63s %63s %519s", &bp, &pa, &pb, k[0], k[1], k[2], k[3], k[4], k[5], stun) == 10) {
    call_t *c = &calls[n];
    int len = unhex(stun, c->stun, sizeof c->stun);
    if (make_keys(&c->tx, k[0], k[1], k[2]) < 0 || make_keys(&c->rx, k[3], k[4], k[5]) < 0 || len < 20) {
      fprintf(stderr, "bad keys on line %d\n", n + 1);
      return 1;
    }
    c->stun_len = (size_t)len;
    c->browser_port = bp;
    c->port_a = pa;
    c->port_b = pb;
    n++;
  }
  /* The browsers' ports were just let go by browser-handshake.ts: all bound again first, before
   * any phone's ephemeral port could take one of them. */
  for (int pass = 0; pass < 2; pass++)
    for (int i = 0; i < n; i++) {
      call_t *c = &calls[i];
      if (pass == 0 ? open_end(&c->browser, c->browser_port, c->port_a) < 0 : open_end(&c->phone, 0, c->port_b) < 0) {
        perror(pass == 0 ? "browser socket" : "phone socket");
        return 1;
      }
    }
  int ep = epoll_create1(0);
  for (int i = 0; i < n; i++) {
    struct epoll_event e = {.events = EPOLLIN, .data.u32 = (uint32_t)(2 * i + 1)};
    epoll_ctl(ep, EPOLL_CTL_ADD, calls[i].browser.fd, &e);
    e.data.u32 = (uint32_t)(2 * i);
    epoll_ctl(ep, EPOLL_CTL_ADD, calls[i].phone.fd, &e);
  }
  /* Warm-up: the phones latch the relay's side b; the browsers check consent once. */
  for (int r = 0; r < 3; r++) {
    for (int i = 0; i < n; i++) {
      send_one(&calls[i], 0);
      send_one(&calls[i], 1);
    }
    pump(ep, now_ns() + 100000000LL);
  }
  for (int i = 0; i < n; i++) send_consent(&calls[i]);
  pump(ep, now_ns() + 300000000LL);
  int ends = 2 * n;
  int64_t period = 1000000000LL / pps, t0 = now_ns() + 10000000LL;
  /* Every end's sends spread evenly over the period; consent checks spread over 5 s. */
  for (int i = 0; i < n; i++) {
    calls[i].browser.next = t0 + period * (2 * i) / ends;
    calls[i].phone.next = t0 + period * (2 * i + 1) / ends;
    calls[i].next_consent = t0 + CONSENT_NS * i / (n ? n : 1);
  }
  measuring = 1;
  int64_t end = t0 + (int64_t)(secs * 1e9);
  int cursor = 0, consent_cursor = 0;
  for (int64_t tick = t0;; tick += TICK_NS) {
    sleep_until(tick); /* at once when behind */
    int64_t t = now_ns();
    if (t >= end) break;
    /* Ends come due in cursor order (their phases are spread and periods equal). */
    for (;;) {
      call_t *c = &calls[cursor >> 1];
      end_t *e = cursor & 1 ? &c->phone : &c->browser;
      if (n == 0 || e->next > t) break;
      send_one(c, !(cursor & 1));
      e->next += period;
      cursor = (cursor + 1) % ends;
    }
    while (n > 0 && calls[consent_cursor].next_consent <= t) {
      send_consent(&calls[consent_cursor]);
      calls[consent_cursor].next_consent += CONSENT_NS;
      consent_cursor = (consent_cursor + 1) % n;
    }
    poll_all(ep);
  }
  pump(ep, now_ns() + 300000000LL); /* drain what is in flight */
  uint64_t sent = dirs[0].sent + dirs[1].sent, received = dirs[0].received + dirs[1].received;
  static uint64_t both[BUCKETS + 1];
  for (int b = 0; b <= BUCKETS; b++) both[b] = dirs[0].hist[b] + dirs[1].hist[b];
  double planned = (double)ends * pps * secs;
  double shortfall = planned > 0 ? 100.0 * (planned - (double)sent) / planned : 0;
  printf("calls=%d sent=%llu received=%llu loss_pct=%.4f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f "
         "to_phone_loss_pct=%.4f to_phone_p99_ms=%.3f to_browser_loss_pct=%.4f to_browser_p99_ms=%.3f "
         "auth_failed=%llu stray=%llu consent=%llu/%llu send_shortfall_pct=%.2f\n",
         n, (unsigned long long)sent, (unsigned long long)received, loss_of(sent, received), pct(both, received, 0.5),
         pct(both, received, 0.99), pct(both, received, 0.999), loss_of(dirs[0].sent, dirs[0].received),
         pct(dirs[0].hist, dirs[0].received, 0.99), loss_of(dirs[1].sent, dirs[1].received),
         pct(dirs[1].hist, dirs[1].received, 0.99), (unsigned long long)auth_failed, (unsigned long long)stray,
         (unsigned long long)consent_ok, (unsigned long long)consent_sent, shortfall < 0 ? 0 : shortfall);
  return 0;
}
