/*
** tests/unit/test_conncount.c: the connection limits the acceptor counts
** (http/conncount.c): in all, per address, and every place given back.
*/
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>

#include "../../backend/http/conncount.h"

static uint32_t ip(const char *s) {
  struct in_addr a;
  cr_assert_eq(inet_pton(AF_INET, s, &a), 1);
  return a.s_addr;
}

static void teardown(void) { conncount_reset(); }
TestSuite(conncount, .fini = teardown);

Test(conncount, per_address_limit_refuses_only_that_address) {
  conncount_init(100, 3);
  uint32_t a = ip("192.0.2.1"), b = ip("192.0.2.2");
  for (int i = 0; i < 3; i++) cr_assert_eq(conncount_take(a), CONNCOUNT_OK);
  cr_assert_eq(conncount_take(a), CONNCOUNT_PER_IP);
  cr_assert_eq(conncount_of(a), 3, "a refused connection is not counted");
  cr_assert_eq(conncount_take(b), CONNCOUNT_OK, "another address still gets in");
  cr_assert_eq(conncount_total(), 4);
  conncount_give(a);
  cr_assert_eq(conncount_take(a), CONNCOUNT_OK, "a place given back can be taken again");
  cr_assert_eq(conncount_of(a), 3);
}

Test(conncount, total_limit_counts_every_address) {
  conncount_init(5, 0);   /* no per-address limit */
  for (int i = 0; i < 5; i++) {
    char s[32];
    snprintf(s, sizeof s, "198.51.100.%d", i + 1);
    cr_assert_eq(conncount_take(ip(s)), CONNCOUNT_OK);
  }
  cr_assert_eq(conncount_take(ip("198.51.100.99")), CONNCOUNT_FULL);
  cr_assert_eq(conncount_take(ip("198.51.100.1")), CONNCOUNT_FULL);
  conncount_give(ip("198.51.100.3"));
  cr_assert_eq(conncount_of(ip("198.51.100.3")), 0);
  cr_assert_eq(conncount_take(ip("198.51.100.99")), CONNCOUNT_OK);
  cr_assert_eq(conncount_total(), 5);
}

Test(conncount, addresses_in_one_bucket_are_kept_apart) {
  /* 4096 addresses over 1,024 buckets: chains of several, each counted alone */
  conncount_init(100000, 2);
  for (uint32_t i = 0; i < 4096; i++) cr_assert_eq(conncount_take(htonl(0x0a000000u + i)), CONNCOUNT_OK);
  for (uint32_t i = 0; i < 4096; i += 2) conncount_give(htonl(0x0a000000u + i));
  for (uint32_t i = 0; i < 4096; i++)
    cr_assert_eq(conncount_of(htonl(0x0a000000u + i)), i % 2, "address %u", i);
  cr_assert_eq(conncount_total(), 2048);
}

Test(conncount, giving_back_what_was_never_taken_changes_nothing) {
  conncount_init(10, 10);
  cr_assert_eq(conncount_take(ip("203.0.113.7")), CONNCOUNT_OK);
  conncount_give(ip("203.0.113.8"));
  cr_assert_eq(conncount_total(), 1);
  conncount_give(ip("203.0.113.7"));
  conncount_give(ip("203.0.113.7"));
  cr_assert_eq(conncount_total(), 0);
}

/* The acceptor takes while the worker loops give back, from other threads. */
static void *churn(void *arg) {
  uint32_t a = *(uint32_t *)arg;
  for (int i = 0; i < 20000; i++) {
    if (conncount_take(a) == CONNCOUNT_OK) conncount_give(a);
  }
  return NULL;
}

Test(conncount, threads_taking_and_giving_leave_nothing_behind) {
  conncount_init(8, 2);
  uint32_t addrs[4] = {ip("192.0.2.10"), ip("192.0.2.11"), ip("192.0.2.10"), ip("192.0.2.12")};
  pthread_t t[4];
  for (int i = 0; i < 4; i++) cr_assert_eq(pthread_create(&t[i], NULL, churn, &addrs[i]), 0);
  for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
  cr_assert_eq(conncount_total(), 0);
  cr_assert_eq(conncount_of(addrs[0]), 0);
}
