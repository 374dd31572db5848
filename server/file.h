/*
 * Files in spaces (cmd-file.c): what the scheduler (scheduler.c) asks of them.
 */
#ifndef AGORA_FILE_H
#define AGORA_FILE_H

struct db_conn;
struct db_job;

/*
 * Worker side, in the caller's transaction: deletes the unfinished uploads
 * begun more than expiry seconds ago, skipping any a request holds now
 * (it goes at the next run). *purged gets how many went. 0, or -1 with
 * the job's status set.
 */
int file_purge(struct db_job *, struct db_conn *, long expiry, long *purged);

#endif
