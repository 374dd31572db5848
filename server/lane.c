#include <pthread.h>
#include <stdlib.h>

#include "db.h"
#include "lane.h"
#include "log.h"
#include "xmalloc.h"

static pthread_mutex_t	 lane_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	 lane_cond = PTHREAD_COND_INITIALIZER;
static struct db_job	*lane_head, *lane_tail;	/* under lane_lock */
static int		 lane_len;		/* under lane_lock */
static int		 lane_quit;		/* under lane_lock */
static pthread_t	*lane_threads;
static int		 lane_nthreads;

static struct db_job *
lane_take(void)
{
	struct db_job *j;

	pthread_mutex_lock(&lane_lock);
	while (lane_head == NULL && !lane_quit)
		pthread_cond_wait(&lane_cond, &lane_lock);
	if ((j = lane_head) != NULL) {
		if ((lane_head = j->next) == NULL)
			lane_tail = NULL;
		j->next = NULL;
		lane_len--;
	}
	pthread_mutex_unlock(&lane_lock);
	return j;
}

static void *
lane_main(void *arg)
{
	struct db_job *j;

	while ((j = lane_take()) != NULL) {
		void (*cpu)(struct db_job *) = j->cpu;

		j->cpu = NULL;
		cpu(j);
		log_debug("lane: request %s done", j->tag);
		db_requeue(j);
	}
	return NULL;
}

void
lane_start(int threads)
{
	lane_quit = 0;
	lane_nthreads = threads;
	lane_threads = xcalloc(threads, sizeof *lane_threads);
	for (int i = 0; i < threads; i++)
		if (pthread_create(&lane_threads[i], NULL, lane_main,
		    NULL) != 0)
			fatalx("pthread_create");
}

void
lane_stop(void)
{
	pthread_mutex_lock(&lane_lock);
	lane_quit = 1;
	pthread_cond_broadcast(&lane_cond);
	pthread_mutex_unlock(&lane_lock);
	for (int i = 0; i < lane_nthreads; i++)
		pthread_join(lane_threads[i], NULL);
	free(lane_threads);
	lane_threads = NULL;
	lane_nthreads = 0;
}

int
lane_push(struct db_job *j)
{
	int full;

	pthread_mutex_lock(&lane_lock);
	if (!(full = lane_len >= LANE_QUEUE_MAX || lane_nthreads == 0)) {
		j->next = NULL;
		if (lane_tail != NULL)
			lane_tail->next = j;
		else
			lane_head = j;
		lane_tail = j;
		lane_len++;
		pthread_cond_signal(&lane_cond);
	}
	pthread_mutex_unlock(&lane_lock);
	return full ? -1 : 0;
}
