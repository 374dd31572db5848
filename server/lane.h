/*
 * The lane: a few threads of their own for work that needs a CPU but no
 * database, password hashing above all (scrypt takes tens of milliseconds
 * and megabytes). A job's run (db.h) that needs such work sets job->cpu
 * and returns; the database worker hands the job here instead of
 * finishing it, and when cpu has run the job goes back to the workers for
 * its next run. So a flood of logins can fill the lane, never the
 * database workers: everyone else's reads and writes keep their latency.
 *
 * The queue is bounded: a job that finds it full is refused (DB_BUSY),
 * and its client is told to try again, rather than waiting behind seconds
 * of hashing.
 */
#ifndef AGORA_LANE_H
#define AGORA_LANE_H

struct db_job;

/* Jobs waiting for the lane, beyond which new ones are refused. */
#define LANE_QUEUE_MAX	64

void lane_start(int threads);
/* Stops the threads; the queue must be empty (db_pending() == 0). */
void lane_stop(void);
/* Any thread: queues the job for its cpu step; -1 if the queue is full. */
int lane_push(struct db_job *);

#endif
