/*
 * RTP load generator for the media relay bench (bench/relay.sh): N calls, each two "phones" (UDP
 * sockets on 127.0.0.1) sending G.711-sized RTP (12-byte header + 160 bytes) at 50 packets/s to
 * the relay's two ports of the call; the relay sends each phone's packets on to the other. Every
 * payload carries its send time (CLOCK_MONOTONIC), so the receiver measures one-way latency
 * through the relay. Output: one line of key=value figures.
 *
 * Usage: rtp-load SECONDS PPS [direct] < ports   (ports: one "portA portB" line per call;
 * "direct" sends phone to phone, without the relay, for the baseline of the path)
 * Only ever sends to 127.0.0.1. Bounded by SECONDS (+1 s of warm-up and drain).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CALLS 20000
#define PKT 172
#define BUCKET_NS 10000LL /* 10 us histogram buckets */
#define BUCKETS 20000     /* up to 200 ms */

typedef struct {
  int fd;
  struct sockaddr_in to;
  uint16_t seq;
  uint32_t ts;
  int64_t next;
} phone_t;

static phone_t phones[2 * MAX_CALLS];
static uint64_t hist[BUCKETS + 1];
static uint64_t sent, received, late_or_stray;
static int measuring;

static int64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void send_one(int i) {
  phone_t *p = &phones[i];
  int64_t t = now_ns();
  unsigned char b[PKT];
  memset(b, 0xd5, sizeof b);
  b[0] = 0x80;
  b[1] = 0; /* PCMU */
  b[2] = p->seq >> 8;
  b[3] = p->seq & 0xff;
  uint32_t ts = htonl(p->ts), ssrc = htonl(0x10000 + i);
  memcpy(b + 4, &ts, 4);
  memcpy(b + 8, &ssrc, 4);
  memcpy(b + 12, &t, 8);
  b[20] = measuring;
  p->seq++;
  p->ts += 160;
  if (sendto(p->fd, b, sizeof b, 0, (struct sockaddr *)&p->to, sizeof p->to) == (ssize_t)sizeof b && measuring)
    sent++;
}

/* One datagram per ready event: level-triggered epoll reports the socket again if more wait. */
static void drain(int fd) {
  unsigned char b[2048];
  ssize_t n = recv(fd, b, sizeof b, MSG_DONTWAIT);
  if (n < 0) return;
  if (n != PKT) { late_or_stray++; return; }
  if (!measuring || !b[20]) return; /* warm-up packets */
  int64_t t;
  memcpy(&t, b + 12, 8);
  int64_t d = now_ns() - t;
  long k = d < 0 ? 0 : d / BUCKET_NS;
  if (k > BUCKETS) k = BUCKETS;
  hist[k]++;
  received++;
}

static double pct(double q) {
  uint64_t want = (uint64_t)(q * received), acc = 0;
  for (int k = 0; k <= BUCKETS; k++) {
    acc += hist[k];
    if (acc >= want && acc > 0) return (k + 1) * BUCKET_NS / 1e6;
  }
  return 0;
}

/*
 * The generator works in ticks of TICK_NS: sleep to the tick, send what is due, read everything
 * that arrived. Batching this way keeps the generator's own CPU low (it shares the machine with the
 * relay); a received packet may wait up to one tick, so the latency measured is an upper bound.
 */
#define TICK_NS 250000LL
static void poll_all(int ep) {
  struct epoll_event ev[1024];
  for (;;) {
    int n = epoll_wait(ep, ev, 1024, 0);
    for (int i = 0; i < n; i++) drain(ev[i].data.fd);
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

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: rtp-load SECONDS PPS < ports\n");
    return 2;
  }
  double secs = atof(argv[1]);
  int pps = atoi(argv[2]);
  /* "direct": the phones of a call send to each other, no relay: the baseline of the path. */
  int direct = argc > 3 && strcmp(argv[3], "direct") == 0;
  int calls = 0, pa, pb;
  while (calls < MAX_CALLS && scanf("%d %d", &pa, &pb) == 2) {
    for (int s = 0; s < 2; s++) {
      phone_t *p = &phones[2 * calls + s];
      p->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
      if (p->fd < 0) { perror("socket"); return 1; }
      int buf = 1 << 20;
      setsockopt(p->fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
      struct sockaddr_in me = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
      if (bind(p->fd, (struct sockaddr *)&me, sizeof me) < 0) { perror("bind"); return 1; }
      p->to.sin_family = AF_INET;
      p->to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      p->to.sin_port = htons(s == 0 ? pa : pb);
    }
    calls++;
  }
  int n = 2 * calls;
  if (direct)
    for (int i = 0; i < n; i++) {
      struct sockaddr_in peer;
      socklen_t len = sizeof peer;
      getsockname(phones[i ^ 1].fd, (struct sockaddr *)&peer, &len);
      phones[i].to = peer;
    }
  int ep = epoll_create1(0);
  for (int i = 0; i < n; i++) {
    struct epoll_event e = {.events = EPOLLIN, .data.fd = phones[i].fd};
    epoll_ctl(ep, EPOLL_CTL_ADD, phones[i].fd, &e);
  }
  /* Warm-up: every phone sends a few packets so the relay latches onto both sides. */
  for (int r = 0; r < 3; r++) {
    for (int i = n - 1; i >= 0; i--) send_one(i);
    pump(ep, now_ns() + 100000000LL);
  }
  pump(ep, now_ns() + 300000000LL);
  int64_t period = 1000000000LL / pps, t0 = now_ns() + 10000000LL;
  for (int i = 0; i < n; i++) phones[i].next = t0 + period * i / n; /* spread evenly */
  measuring = 1;
  int64_t end = t0 + (int64_t)(secs * 1e9);
  int cursor = 0;
  for (int64_t tick = t0;; tick += TICK_NS) {
    sleep_until(tick); /* at once when behind */
    int64_t t = now_ns();
    if (t >= end) break;
    /* Phones come due in cursor order (their phases are spread and periods equal). */
    while (phones[cursor].next <= t) {
      send_one(cursor);
      phones[cursor].next += period;
      cursor = (cursor + 1) % n;
    }
    poll_all(ep);
  }
  pump(ep, now_ns() + 300000000LL); /* drain what is in flight */
  double loss = sent ? 100.0 * (double)(sent - (received > sent ? sent : received)) / (double)sent : 100.0;
  /* A generator that could not send its planned rate (machine too busy) makes the run invalid. */
  double planned = (double)n * pps * secs;
  double shortfall = planned > 0 ? 100.0 * (planned - (double)sent) / planned : 0;
  printf("calls=%d sent=%llu received=%llu loss_pct=%.4f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f stray=%llu "
         "send_shortfall_pct=%.2f\n",
         calls, (unsigned long long)sent, (unsigned long long)received, loss, pct(0.5), pct(0.99), pct(0.999),
         (unsigned long long)late_or_stray, shortfall < 0 ? 0 : shortfall);
  return 0;
}
