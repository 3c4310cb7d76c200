/*
 * Load generator and meter for the conference bench (bench/conference.bench.ts): N participants,
 * in rooms of 5 (participant i is member i % 5 of room i / 5), all talking at once. Each sends
 * 20 ms G.711 PCMU RTP packets (RFC 3551 4.5.14, payload type 0) at 50 packets/s to its media
 * endpoint's port, paced from CLOCK_MONOTONIC and spread evenly over the 20 ms (in 1 ms slots, see
 * due_ms), and receives what Parley sends back: the mix of the other four.
 *
 * One UDP socket on 127.0.0.1 serves every participant: each endpoint latches onto it (symmetric
 * RTP, RFC 4961) and a participant is told apart by the endpoint port a packet comes from. Arrival
 * times are the kernel's (SO_TIMESTAMPNS), so neither the generator's own sending nor its reading
 * the queue once a millisecond blurs the figures; drops on its own queue are counted apart
 * (SO_RXQ_OVFL: meter_drops), so they are not taken for Parley's loss unnoticed.
 *
 * Member k of a room speaks a steady tone of 400 + 200 k Hz (400 to 1200 Hz): a whole number of
 * cycles in 20 ms, so every frame of a member is the same 160 bytes and a Goertzel filter over one
 * received frame has no leakage. Per participant: packets, sequence gaps (loss), pacing jitter
 * |inter-arrival - 20 ms| (p50/p99/max over all packets), frames audible (mean |sample| >= 1000),
 * and on every 10th frame the mix-minus check: the four other tones present, its own
 * at least 20 dB below the weakest of them (G.711 twice and the tones' intermodulation leave a
 * trace at every member's frequency, far below 20 dB).
 *
 * Usage: conference-load PORT PARTICIPANTS SECONDS   then one stdin line of the N endpoint ports.
 * Prints "listening", then after 1 s of warm-up (not counted) + SECONDS one line of key=value
 * figures. Only ever binds and sends to 127.0.0.1.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAXP 20000
#define ROOM 5
#define BATCH 64
#define PKT 172
#define BINS 100000 /* 0.001 ms bins up to 100 ms */
#define AMPLITUDE 4000
#define AUDIBLE 1000 /* mean |sample| of a frame that is "audio" (four tones of 4000 give ~5000) */
#define CHECK_EVERY 10

struct participant {
  uint16_t port; /* the endpoint's */
  uint16_t seq;
  uint32_t ts;
  double last_ms; /* kernel arrival of the previous packet */
  uint16_t last_seq;
  long packets, lost, audible, checked, mix_ok;
  int seen;
};

static struct participant ps[MAXP];
static int by_port[65536]; /* endpoint port -> participant index + 1 */
static long hist[BINS + 1], late_hist[BINS + 1];
static unsigned char tone[ROOM][160];
static int16_t ulaw_dec[256];
static double coef[ROOM]; /* Goertzel 2 cos(2 pi f / 8000) per member tone */

static double now_ms(clockid_t c) {
  struct timespec t;
  clock_gettime(c, &t);
  return t.tv_sec * 1000.0 + t.tv_nsec / 1e6;
}

/* ITU-T G.711 mu-law, as the classic Sun reference g711.c does it (bias 0x84, clip 32635). */
static unsigned char ulaw_encode(int s) {
  int sign = s < 0 ? 0x80 : 0;
  if (s < 0) s = -s;
  if (s > 32635) s = 32635;
  s += 0x84;
  int exp = 7;
  for (int mask = 0x4000; (s & mask) == 0 && exp > 0; mask >>= 1) exp--;
  int mant = (s >> (exp + 3)) & 0x0f;
  return (unsigned char)~(sign | exp << 4 | mant);
}

static int16_t ulaw_decode(unsigned char u) {
  u = ~u;
  int t = ((u & 0x0f) << 3) + 0x84;
  t <<= (u & 0x70) >> 4;
  return (int16_t)((u & 0x80) ? 0x84 - t : t - 0x84);
}

/* Power of one frequency over a frame (Goertzel). */
static double goertzel(const int16_t *x, double c) {
  double s1 = 0, s2 = 0;
  for (int i = 0; i < 160; i++) {
    double s0 = x[i] + c * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return s1 * s1 + s2 * s2 - c * s1 * s2;
}

/*
 * When participant i's packet of period `tick` is due: the period is cut into SLOTS slots of
 * 1 ms and the participants shared out over them in order, so the generator wakes once a
 * millisecond (not once per packet) and still spreads its load evenly over the 20 ms.
 */
#define SLOTS 20
static double due_ms(double start, long tick, long i, int n) {
  return start + tick * 20.0 + (double)(i * SLOTS / n) * (20.0 / SLOTS);
}

static double percentile(const long *h, long n, double q) {
  long acc = 0;
  for (int b = 0; b <= BINS; b++) {
    acc += h[b];
    if (acc >= n * q && n > 0) return b / 1000.0;
  }
  return BINS / 1000.0;
}

/* One frame received by participant i: audible, and (sometimes) the mix of the other four only. */
static void listen_to(int i, const unsigned char *payload) {
  struct participant *p = &ps[i];
  int16_t x[160];
  long sum = 0;
  for (int k = 0; k < 160; k++) {
    x[k] = ulaw_dec[payload[k]];
    sum += x[k] < 0 ? -x[k] : x[k];
  }
  if (sum >= AUDIBLE * 160) p->audible++;
  if (p->packets % CHECK_EVERY != 0) return;
  p->checked++;
  int me = i % ROOM;
  double own = goertzel(x, coef[me]), weakest = INFINITY;
  for (int m = 0; m < ROOM; m++)
    if (m != me && i - me + m < MAXP && ps[i - me + m].port != 0) {
      double e = goertzel(x, coef[m]);
      if (e < weakest) weakest = e;
    }
  /* Every other member at least 20 dB above what is left of our own tone. */
  if (weakest > 0 && weakest != INFINITY && own * 100 < weakest) p->mix_ok++;
}

int main(int argc, char **argv) {
  if (argc < 4) return 2;
  int port = atoi(argv[1]), n = atoi(argv[2]);
  double seconds = atof(argv[3]);
  if (n < 1 || n > MAXP) return 2;
  for (int u = 0; u < 256; u++) ulaw_dec[u] = ulaw_decode((unsigned char)u);
  for (int m = 0; m < ROOM; m++) {
    double f = 400 + 200 * m;
    coef[m] = 2 * cos(2 * M_PI * f / 8000);
    for (int k = 0; k < 160; k++) tone[m][k] = ulaw_encode((int)lround(AMPLITUDE * sin(2 * M_PI * f * k / 8000)));
  }
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  int big = 64 * 1024 * 1024, on = 1;
  /* A big queue (FORCE: past rmem_max when root): the meter reads it once a millisecond. */
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big) != 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
  if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof big) != 0)
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
  setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
  setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &on, sizeof on); /* our own drops, told apart */
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0) {
    perror("bind");
    return 1;
  }
  printf("listening\n");
  fflush(stdout);
  static char line[1 << 20];
  if (fgets(line, sizeof line, stdin) == NULL) return 1;
  int count = 0;
  char *save = NULL;
  for (char *tok = strtok_r(line, " \n", &save); tok != NULL && count < n; tok = strtok_r(NULL, " \n", &save)) {
    int ep = atoi(tok);
    if (ep <= 0 || ep > 65535) continue;
    ps[count].port = (uint16_t)ep;
    ps[count].seq = (uint16_t)(count * 7919);
    ps[count].ts = (uint32_t)count * 104729u;
    by_port[ep] = count + 1;
    count++;
  }
  n = count;

  /* Receive side: recvmmsg with the source address and the kernel's arrival time of each. */
  static unsigned char rbufs[BATCH][512];
  static char ctrl[BATCH][64];
  static struct sockaddr_in from[BATCH];
  struct mmsghdr rmsgs[BATCH];
  struct iovec riov[BATCH];
  /* Send side: sendmmsg to each endpoint's port. */
  static unsigned char sbufs[BATCH][PKT];
  static struct sockaddr_in to[BATCH];
  struct mmsghdr smsgs[BATCH];
  struct iovec siov[BATCH];
  for (int b = 0; b < BATCH; b++) {
    riov[b] = (struct iovec){rbufs[b], sizeof rbufs[b]};
    siov[b] = (struct iovec){sbufs[b], PKT};
    to[b] = a;
  }

  double start = now_ms(CLOCK_MONOTONIC);
  double counting = start + 1000, end = counting + seconds * 1000;
  double real_offset = now_ms(CLOCK_REALTIME) - start; /* kernel stamps are CLOCK_REALTIME */
  long tick = 0, next = 0; /* the next packet due: participant `next` of period `tick` */
  long counted = 0, over5 = 0, late_counted = 0, sent = 0, send_errors = 0;
  double maxdev = 0, maxlate = 0;
  uint32_t meter_drops = 0; /* datagrams the kernel dropped because this process read too late */
  for (;;) {
    double t = now_ms(CLOCK_MONOTONIC);
    if (t >= end) break;
    /* Send everything due, in batches. */
    int nb = 0;
    for (;;) {
      double due = due_ms(start, tick, next, n);
      if (due > t) break;
      struct participant *p = &ps[next];
      unsigned char *b = sbufs[nb];
      b[0] = 0x80;
      b[1] = 0; /* PCMU, RFC 3551 */
      b[2] = p->seq >> 8;
      b[3] = p->seq & 0xff;
      uint32_t ts = htonl(p->ts), ssrc = htonl(0x5000 + next);
      memcpy(b + 4, &ts, 4);
      memcpy(b + 8, &ssrc, 4);
      memcpy(b + 12, tone[next % ROOM], 160);
      p->seq++;
      p->ts += 160;
      to[nb].sin_port = htons(p->port);
      memset(&smsgs[nb], 0, sizeof smsgs[nb]);
      smsgs[nb].msg_hdr.msg_name = &to[nb];
      smsgs[nb].msg_hdr.msg_namelen = sizeof to[nb];
      smsgs[nb].msg_hdr.msg_iov = &siov[nb];
      smsgs[nb].msg_hdr.msg_iovlen = 1;
      if (due >= counting) {
        double late = t - due;
        int bin = (int)(late * 1000);
        late_hist[bin > BINS ? BINS : bin]++;
        late_counted++;
        if (late > maxlate) maxlate = late;
      }
      nb++;
      if (++next == n) {
        next = 0;
        tick++;
      }
      if (nb == BATCH) {
        int s = sendmmsg(fd, smsgs, nb, 0);
        sent += s > 0 ? s : 0;
        send_errors += nb - (s > 0 ? s : 0);
        nb = 0;
      }
    }
    if (nb > 0) {
      int s = sendmmsg(fd, smsgs, nb, 0);
      sent += s > 0 ? s : 0;
      send_errors += nb - (s > 0 ? s : 0);
    }
    /* Sleep to the next slot, then read all that arrived meanwhile (stamped by the kernel). */
    double due = due_ms(start, tick, next, n);
    struct timespec wake = {(time_t)(due / 1000), (long)(fmod(due, 1000) * 1e6)};
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &wake, NULL);
    for (;;) {
      for (int b = 0; b < BATCH; b++) {
        memset(&rmsgs[b], 0, sizeof rmsgs[b]);
        rmsgs[b].msg_hdr.msg_iov = &riov[b];
        rmsgs[b].msg_hdr.msg_iovlen = 1;
        rmsgs[b].msg_hdr.msg_name = &from[b];
        rmsgs[b].msg_hdr.msg_namelen = sizeof from[b];
        rmsgs[b].msg_hdr.msg_control = ctrl[b];
        rmsgs[b].msg_hdr.msg_controllen = sizeof ctrl[b];
      }
      int got = recvmmsg(fd, rmsgs, BATCH, MSG_DONTWAIT, NULL);
      if (got <= 0) break;
      double user_t = now_ms(CLOCK_MONOTONIC);
      for (int b = 0; b < got; b++) {
        unsigned char *pk = rbufs[b];
        if (rmsgs[b].msg_len < 12 + 160 || (pk[0] & 0xc0) != 0x80) continue;
        int idx = by_port[ntohs(from[b].sin_port)] - 1;
        if (idx < 0) continue;
        double at = user_t;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&rmsgs[b].msg_hdr); c != NULL; c = CMSG_NXTHDR(&rmsgs[b].msg_hdr, c))
          if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
            struct timespec k;
            memcpy(&k, CMSG_DATA(c), sizeof k);
            at = k.tv_sec * 1000.0 + k.tv_nsec / 1e6 - real_offset;
          } else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL)
            memcpy(&meter_drops, CMSG_DATA(c), sizeof meter_drops);
        struct participant *p = &ps[idx];
        uint16_t seq = (uint16_t)(pk[2] << 8 | pk[3]);
        if (at >= counting && p->seen) {
          double dev = at - p->last_ms - 20.0;
          if (dev < 0) dev = -dev;
          int bin = (int)(dev * 1000);
          hist[bin > BINS ? BINS : bin]++;
          counted++;
          if (dev > 5) over5++;
          if (dev > maxdev) maxdev = dev;
          uint16_t gap = (uint16_t)(seq - p->last_seq);
          if (gap > 1 && gap < 1000) p->lost += gap - 1;
          p->packets++;
          listen_to(idx, pk + 12);
        }
        p->seen = 1;
        p->last_ms = at;
        p->last_seq = seq;
      }
      if (got < BATCH) break;
    }
  }
  long packets = 0, lost = 0, audible = 0, checked = 0, mix_ok = 0, silent = 0, heard = 0;
  for (int i = 0; i < n; i++) {
    struct participant *p = &ps[i];
    packets += p->packets;
    lost += p->lost;
    audible += p->audible;
    checked += p->checked;
    mix_ok += p->mix_ok;
    if (p->packets > 0) heard++;
    /* "received audio": at least half of what it received is not silence. */
    if (p->packets == 0 || p->audible * 2 < p->packets) silent++;
  }
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  double cpu_s = ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  double wall_s = (now_ms(CLOCK_MONOTONIC) - start) / 1000;
  printf("participants=%d heard=%ld silent=%ld packets=%ld expected=%.0f lost=%ld p50_ms=%.3f p99_ms=%.3f "
         "max_ms=%.3f over5_pct=%.3f audible_pct=%.1f mix_ok_pct=%.1f sent=%ld send_errors=%ld "
         "send_late_p99_ms=%.3f send_late_max_ms=%.3f meter_drops=%u load_cpu=%.0f%%\n",
         n, heard, silent, packets, n * seconds * 50, lost, percentile(hist, counted, 0.5),
         percentile(hist, counted, 0.99), maxdev, counted ? 100.0 * over5 / counted : 0,
         packets ? 100.0 * audible / packets : 0, checked ? 100.0 * mix_ok / checked : 0, sent, send_errors,
         percentile(late_hist, late_counted, 0.99), maxlate, meter_drops, 100 * cpu_s / wall_s);
  return 0;
}
