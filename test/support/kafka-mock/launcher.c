/*
 * Kafka test broker: librdkafka's mock cluster (real Kafka wire protocol) in a small process.
 *
 * Usage: kafka-mock [BROKERS]      (default 1 broker)
 * Prints the bootstrap address list ("127.0.0.1:PORT[,...]") as the first line on stdout, then reads one command per
 * line on stdin and answers each with exactly one line, "ok" or "error <reason>":
 *   topic NAME PARTITIONS [REPLICATION]   create a topic (the mock rejects the CreateTopics admin request)
 *   down BROKER_ID | up BROKER_ID         drop a broker's connections and refuse new ones / accept again (-1 = all)
 *   rtt BROKER_ID MILLISECONDS            add round-trip latency to a broker's responses (-1 = all)
 *   leader TOPIC PARTITION BROKER_ID      move a partition's leader (-1 = leaderless)
 *   ping                                  liveness check
 *   quit                                  exit (so do EOF on stdin, SIGTERM and SIGINT)
 * EOF on stdin means the parent is gone, so the broker never outlives the test run.
 *
 * Build: gcc -O2 -o kafka-mock launcher.c -lrdkafka   (Debian: apt-get install -y gcc librdkafka-dev)
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

static volatile sig_atomic_t stopping = 0;

static void on_signal(int sig) {
  (void)sig;
  stopping = 1;
}

/* Installed without SA_RESTART so that a blocked fgets() returns and the main loop can shut down cleanly. */
static void install_signal_handlers(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  signal(SIGPIPE, SIG_IGN); /* a vanished reader shows up as a write error, handled below */
}

static int reply(rd_kafka_resp_err_t err) {
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
    return printf("ok\n");
  return printf("error %s: %s\n", rd_kafka_err2name(err), rd_kafka_err2str(err));
}

/* Parses a whole-string base-10 integer; returns 0 on success. */
static int parse_int(const char *s, long *out) {
  char *end;
  if (s == NULL || *s == '\0')
    return -1;
  errno = 0;
  *out = strtol(s, &end, 10);
  return (errno != 0 || *end != '\0') ? -1 : 0;
}

static int handle(rd_kafka_mock_cluster_t *mc, char *line) {
  const char *cmd = strtok(line, " \t");
  const char *a = strtok(NULL, " \t");
  const char *b = strtok(NULL, " \t");
  const char *c = strtok(NULL, " \t");
  const char *extra = strtok(NULL, " \t");
  long n1, n2, n3;

  if (cmd == NULL)
    return printf("error empty command\n");
  if (strcmp(cmd, "ping") == 0)
    return printf("ok\n");
  if (strcmp(cmd, "topic") == 0) {
    if (a == NULL || parse_int(b, &n1) != 0 || n1 < 1 || extra != NULL)
      return printf("error usage: topic NAME PARTITIONS [REPLICATION]\n");
    n2 = 1;
    if (c != NULL && (parse_int(c, &n2) != 0 || n2 < 1))
      return printf("error usage: topic NAME PARTITIONS [REPLICATION]\n");
    return reply(rd_kafka_mock_topic_create(mc, a, (int)n1, (int)n2));
  }
  if (strcmp(cmd, "down") == 0 || strcmp(cmd, "up") == 0) {
    if (parse_int(a, &n1) != 0 || b != NULL)
      return printf("error usage: %s BROKER_ID\n", cmd);
    return reply(cmd[0] == 'd' ? rd_kafka_mock_broker_set_down(mc, (int32_t)n1)
                               : rd_kafka_mock_broker_set_up(mc, (int32_t)n1));
  }
  if (strcmp(cmd, "rtt") == 0) {
    if (parse_int(a, &n1) != 0 || parse_int(b, &n2) != 0 || n2 < 0 || c != NULL)
      return printf("error usage: rtt BROKER_ID MILLISECONDS\n");
    return reply(rd_kafka_mock_broker_set_rtt(mc, (int32_t)n1, (int)n2));
  }
  if (strcmp(cmd, "leader") == 0) {
    if (a == NULL || parse_int(b, &n1) != 0 || parse_int(c, &n3) != 0 || extra != NULL)
      return printf("error usage: leader TOPIC PARTITION BROKER_ID\n");
    return reply(rd_kafka_mock_partition_set_leader(mc, a, (int32_t)n1, (int32_t)n3));
  }
  return printf("error unknown command '%s'\n", cmd);
}

int main(int argc, char **argv) {
  char errstr[512];
  char line[1024];
  long brokers = 1;
  int status = 0;

  if (argc > 2 || (argc == 2 && (parse_int(argv[1], &brokers) != 0 || brokers < 1 || brokers > 16))) {
    fprintf(stderr, "usage: %s [BROKERS 1..16]\n", argv[0]);
    return 2;
  }
  install_signal_handlers();
  setvbuf(stdout, NULL, _IOLBF, 0); /* one line per answer, flushed at once */

  /* The mock cluster needs a client instance for its bookkeeping; this producer never produces. */
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  if (rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK) {
    fprintf(stderr, "kafka-mock: %s\n", errstr);
    return 1;
  }
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (rk == NULL) {
    fprintf(stderr, "kafka-mock: rd_kafka_new: %s\n", errstr);
    return 1;
  }
  rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, (int)brokers);
  if (mc == NULL) {
    fprintf(stderr, "kafka-mock: rd_kafka_mock_cluster_new failed\n");
    rd_kafka_destroy(rk);
    return 1;
  }
  printf("%s\n", rd_kafka_mock_cluster_bootstraps(mc));

  while (!stopping) {
    if (fgets(line, sizeof(line), stdin) == NULL) {
      if (ferror(stdin) && errno == EINTR && !stopping) {
        clearerr(stdin);
        continue;
      }
      break; /* EOF: the parent is gone */
    }
    size_t len = strcspn(line, "\r\n");
    if (line[len] == '\0' && !feof(stdin)) {
      /* Over-long line: discard the rest so it is not read as further commands. */
      int ch;
      while ((ch = getchar()) != EOF && ch != '\n') {
      }
      if (printf("error line too long\n") < 0)
        break;
      continue;
    }
    line[len] = '\0';
    if (strcmp(line, "quit") == 0) {
      printf("ok\n");
      break;
    }
    if (handle(mc, line) < 0) {
      status = 1; /* stdout closed: nobody is listening any more */
      break;
    }
  }

  rd_kafka_mock_cluster_destroy(mc);
  rd_kafka_destroy(rk);
  return status;
}
