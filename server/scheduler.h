/*
 * Scheduled jobs: work agorad does by itself, not for a request (purging
 * unfinished uploads, and later reminders and billing cycles). Each job is
 * a row of the table schedule (sql/010_space_content.sql) saying when it
 * is next due, and runs on whichever node claims it: scheduler.c has the
 * rules, which make it safe with several nodes.
 */
#ifndef AGORA_SCHEDULER_H
#define AGORA_SCHEDULER_H

/* Loop thread, after db_start and presence_start: starts the ticks. */
void scheduler_start(void);
/* Shutdown begins: no new job is started (one in flight finishes). */
void scheduler_stop(void);

#endif
