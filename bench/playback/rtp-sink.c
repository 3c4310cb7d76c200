/*
 * RTP sink for the playback bench: one UDP socket on 127.0.0.1 receiving every stream Parley's
 * media endpoints play (told apart by SSRC), measuring for each packet how far its arrival is
 * from 20 ms after the previous one of its stream (pacing jitter), the mean interval (drift), and
 * sequence gaps (loss). Runs for the seconds given, after a one-second warm-up that is not counted.
 * Usage: rtp-sink PORT SECONDS   (prints one line: key=value figures)
 * After "listening" it reads one line of the endpoints' RTP ports from stdin and sends each one
 * RTP packet, as a phone's first audio would, so each endpoint latches onto the sink (symmetric
 * RTP); then it measures. Only ever binds and sends to 127.0.0.1.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SLOTS 16384
#define BATCH 64
#define BINS 100000 /* 0.001 ms bins up to 100 ms */

struct stream {
  uint32_t ssrc;
  int used;
  double last_ms;
  uint16_t last_seq;
  double first_ms;
  long packets;
  long intervals; /* counted intervals since first_ms */
  long lost;
};

static struct stream streams[SLOTS];
static long hist[BINS + 1];

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000.0 + t.tv_nsec / 1e6;
}

static struct stream *lookup(uint32_t ssrc) {
  uint32_t h = (ssrc * 2654435761u) % SLOTS;
  for (int i = 0; i < SLOTS; i++) {
    struct stream *s = &streams[(h + i) % SLOTS];
    if (!s->used) {
      s->used = 1;
      s->ssrc = ssrc;
      return s;
    }
    if (s->ssrc == ssrc) return s;
  }
  return NULL;
}

int main(int argc, char **argv) {
  if (argc < 3) return 2;
  int port = atoi(argv[1]);
  double seconds = atof(argv[2]);
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  int big = 64 * 1024 * 1024;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0) {
    perror("bind");
    return 1;
  }
  struct timeval tv = {0, 100000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  printf("listening\n");
  fflush(stdout);
  static char line[1 << 20];
  if (fgets(line, sizeof line, stdin) != NULL) {
    unsigned char hello[172] = {0x80, 0};
    memset(hello + 12, 0xff, 160);
    char *save = NULL;
    for (char *tok = strtok_r(line, " \n", &save); tok != NULL; tok = strtok_r(NULL, " \n", &save)) {
      struct sockaddr_in to = a;
      to.sin_port = htons(atoi(tok));
      sendto(fd, hello, sizeof hello, 0, (struct sockaddr *)&to, sizeof to);
    }
  }
  printf("latched\n");
  fflush(stdout);
  static char bufs[BATCH][512];
  struct mmsghdr msgs[BATCH];
  struct iovec iov[BATCH];
  for (int i = 0; i < BATCH; i++) {
    iov[i].iov_base = bufs[i];
    iov[i].iov_len = sizeof bufs[i];
    memset(&msgs[i], 0, sizeof msgs[i]);
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  double start = now_ms();
  double counting = start + 1000, end = counting + seconds * 1000;
  long counted = 0, over5 = 0;
  double maxdev = 0;
  for (;;) {
    /* MSG_WAITFORONE: return what has arrived, so each packet is stamped when it is read. */
    int n = recvmmsg(fd, msgs, BATCH, MSG_WAITFORONE, NULL);
    double t = now_ms();
    if (t >= end) break;
    for (int i = 0; i < n; i++) {
      unsigned char *p = (unsigned char *)bufs[i];
      if (msgs[i].msg_len < 12) continue;
      uint32_t ssrc = (uint32_t)p[8] << 24 | p[9] << 16 | p[10] << 8 | p[11];
      uint16_t seq = (uint16_t)(p[2] << 8 | p[3]);
      struct stream *s = lookup(ssrc);
      if (s == NULL) continue;
      if (t >= counting && s->packets > 0) {
        double dev = t - s->last_ms - 20.0;
        if (dev < 0) dev = -dev;
        int bin = (int)(dev * 1000);
        hist[bin > BINS ? BINS : bin]++;
        counted++;
        if (dev > 5) over5++;
        if (dev > maxdev) maxdev = dev;
        uint16_t gap = (uint16_t)(seq - s->last_seq);
        if (gap > 1 && gap < 1000) s->lost += gap - 1;
      }
      if (t >= counting && s->first_ms == 0) s->first_ms = t;
      else if (t >= counting) s->intervals++;
      if (t >= counting) s->packets++;
      else s->packets = 1; /* warm-up: only remember the last arrival */
      s->last_ms = t;
      s->last_seq = seq;
    }
  }
  long nstreams = 0, packets = 0, lost = 0;
  double interval_sum = 0;
  for (int i = 0; i < SLOTS; i++)
    if (streams[i].used && streams[i].packets > 1) {
      nstreams++;
      packets += streams[i].packets - 1;
      lost += streams[i].lost;
      if (streams[i].intervals > 0)
        interval_sum += (streams[i].last_ms - streams[i].first_ms) / streams[i].intervals;
    }
  double p50 = 0, p99 = 0;
  long acc = 0;
  for (int b = 0; b <= BINS; b++) {
    acc += hist[b];
    if (p50 == 0 && acc >= counted * 0.5) p50 = b / 1000.0;
    if (acc >= counted * 0.99) {
      p99 = b / 1000.0;
      break;
    }
  }
  printf("streams=%ld packets=%ld expected=%.0f lost=%ld p50_ms=%.3f p99_ms=%.3f max_ms=%.3f over5_pct=%.3f mean_interval_ms=%.3f\n",
         nstreams, packets, nstreams * seconds * 50, lost, p50, p99, maxdev,
         counted ? 100.0 * over5 / counted : 0, nstreams ? interval_sum / nstreams : 0);
  return 0;
}
