/*
 * The client's model: filled from replies, kept current by events, each
 * event applied once however often it arrives (pushed and in SYNC).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "check-run.h"

static char *const whoami2[] = {
	"a1 USER id=7 email=alice@acme.example name=\"Alice Martin\"",
	"a1 WORKSPACE id=1 name=Acme role=owner plan=free",
	"a1 WORKSPACE id=2 name=Globex role=member plan=pro",
};

static char *const members[] = {
	"a2 MEMBER user=7 email=alice@acme.example name=\"Alice Martin\" role=owner",
	"a2 MEMBER user=9 email=carla@acme.example name=\"Carla D\xc3\xad" "az\" role=member",
};

static char *const bad_lines[] = {
	"s1 SPACE id=x title=\"unterminated",
};

static void
setup(struct model *m)
{
	model_init(m);
	ck_assert_int_eq(model_whoami(m, whoami2, 3), 0);
	ck_assert_int_eq(model_members(m, 1, members, 2), 0);
	m->dirty = 0;
}

START_TEST(whoami_fills)
{
	struct model m;

	setup(&m);
	ck_assert_int_eq(m.user, 7);
	ck_assert_str_eq(m.name, "Alice Martin");
	ck_assert_uint_eq(m.nws, 2);
	ck_assert_str_eq(model_workspace(&m)->name, "Acme");
	ck_assert_str_eq(m.ws[1].plan, "pro");
	ck_assert_uint_eq(model_find_workspace(&m, "Globex"), 1);
	ck_assert_uint_eq(model_find_workspace(&m, "globex"), 2);
	model_free(&m);
}
END_TEST

START_TEST(whoami_again_keeps_state)
{
	struct model m;
	char *const again[] = {
		"a3 USER id=7 email=alice@acme.example name=Alice",
		"a3 WORKSPACE id=0002 name=Globex role=member plan=pro",
		"a3 WORKSPACE id=1 name=Acme role=owner plan=premium",
	};

	setup(&m);
	model_select(&m, 0);
	ck_assert_int_eq(model_whoami(&m, again, 3), 0);
	/* Still on Acme, now second, its people still loaded. */
	ck_assert_uint_eq(m.cur, 1);
	ck_assert_str_eq(model_workspace(&m)->plan, "premium");
	ck_assert(model_workspace(&m)->loaded);
	ck_assert_uint_eq(model_workspace(&m)->nmembers, 2);
	ck_assert_str_eq(m.name, "Alice");
	ck_assert(m.dirty & DIRTY_HEADER);
	model_free(&m);
}
END_TEST

START_TEST(malformed_reply_changes_nothing)
{
	struct model m;
	char *const bad[] = {
		"a3 USER id=7 email=x name=\"unterminated",
	};
	char *const no_user[] = {
		"a3 WORKSPACE id=3 name=Other role=owner plan=free",
	};
	char *const bad_member[] = {
		"a4 MEMBER user=abc name=X",
	};

	setup(&m);
	ck_assert_int_eq(model_whoami(&m, bad, 1), -1);
	ck_assert_int_eq(model_whoami(&m, no_user, 1), -1);
	ck_assert_uint_eq(m.nws, 2);
	ck_assert_int_eq(model_members(&m, 1, bad_member, 1), -1);
	ck_assert_uint_eq(model_workspace(&m)->nmembers, 2);
	/* A workspace we no longer have: ignored, not an error. */
	ck_assert_int_eq(model_members(&m, 99, members, 2), 0);
	model_free(&m);
}
END_TEST

START_TEST(member_added_sorted_and_once)
{
	struct model m;
	const char *ev = "* EVENT seq=5 type=member.added workspace=1 user=8 "
	    "name=\"bob Chen\" role=member";
	struct workspace *w;

	setup(&m);
	ck_assert_int_eq(model_event(&m, ev), 1);
	w = model_workspace(&m);
	ck_assert_uint_eq(w->nmembers, 3);
	ck_assert_str_eq(w->members[1].name, "bob Chen");	/* ignoring case */
	ck_assert_int_eq(m.seq, 5);
	ck_assert(m.dirty & DIRTY_MAIN);
	ck_assert_uint_eq(m.nact, 1);
	ck_assert_str_eq(m.act[0].text, "bob Chen joined Acme as member");
	/* The same event again, from SYNC this time: applied once. */
	ck_assert_int_eq(model_event(&m, "a9 EVENT seq=5 type=member.added "
	    "workspace=1 user=8 name=\"bob Chen\" role=member"), 0);
	ck_assert_uint_eq(w->nmembers, 3);
	ck_assert_uint_eq(m.nact, 1);
	/* Older ones too. */
	ck_assert_int_eq(model_event(&m, "* EVENT seq=4 type=session.login "
	    "session=1 address=x"), 0);
	model_free(&m);
}
END_TEST

START_TEST(member_updated_in_place)
{
	struct model m;
	struct workspace *w;

	setup(&m);
	ck_assert_int_eq(model_event(&m, "* EVENT seq=2 type=member.added "
	    "workspace=1 user=9 name=Aaron role=admin"), 1);
	w = model_workspace(&m);
	ck_assert_uint_eq(w->nmembers, 2);
	ck_assert_str_eq(w->members[0].name, "Aaron");
	ck_assert_str_eq(w->members[0].role, "admin");
	model_free(&m);
}
END_TEST

START_TEST(joining_a_workspace_makes_whoami_stale)
{
	struct model m;

	setup(&m);
	ck_assert_int_eq(model_event(&m, "* EVENT seq=3 type=member.added "
	    "workspace=44 user=7 name=Alice role=member"), 1);
	ck_assert(m.stale);
	model_free(&m);
}
END_TEST

START_TEST(unknown_types_still_show)
{
	struct model m;

	setup(&m);
	ck_assert_int_eq(model_event(&m, "* EVENT seq=10 type=task.created "
	    "task=3 title=\"Q4 deal\""), 1);
	ck_assert_str_eq(m.act[0].type, "task.created");
	ck_assert_str_eq(m.act[0].text, "task.created task=3 title=Q4 deal");
	model_free(&m);
}
END_TEST

START_TEST(malformed_events)
{
	struct model m;
	static const char *bad[] = {
		"* EVENT type=x",			/* no seq */
		"* EVENT seq=0 type=x",			/* seq starts at 1 */
		"* EVENT seq=-3 type=x",
		"* EVENT seq=4",			/* no type */
		"* HELLO agora=1",			/* not an event */
		"* EVENT seq=4 type=\"x",		/* unterminated */
		"",
	};

	setup(&m);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(model_event(&m, bad[i]) == -1, "%s", bad[i]);
	ck_assert_int_eq(m.seq, 0);
	ck_assert_uint_eq(m.nact, 0);
	model_free(&m);
}
END_TEST

START_TEST(activity_is_bounded)
{
	struct model m;
	char line[96];

	model_init(&m);
	for (int i = 1; i <= MODEL_ACTIVITY_MAX + 5; i++) {
		snprintf(line, sizeof line, "* EVENT seq=%d type=session.login "
		    "session=%d address=10.0.0.1", i, i);
		ck_assert_int_eq(model_event(&m, line), 1);
	}
	ck_assert_uint_eq(m.nact, MODEL_ACTIVITY_MAX);
	ck_assert_int_eq(m.act[0].seq, 6);
	ck_assert_int_eq(m.act[m.nact - 1].seq, MODEL_ACTIVITY_MAX + 5);
	ck_assert_str_eq(m.act[0].text, "signed in from 10.0.0.1");
	model_free(&m);
}
END_TEST

/* The model keeps bytes as sent; views sanitise at the last moment. */
START_TEST(hostile_text_kept_raw)
{
	struct model m;

	setup(&m);
	ck_assert_int_eq(model_event(&m, "* EVENT seq=8 type=member.added "
	    "workspace=1 user=20 name=\"Eve\\t\xc2\x9b" "2J\xe2\x80\xae\" role=member"),
	    1);
	ck_assert_str_eq(model_workspace(&m)->members[2].name,
	    "Eve\t\xc2\x9b" "2J\xe2\x80\xae");
	model_free(&m);
}
END_TEST

START_TEST(select_marks_dirty)
{
	struct model m;

	setup(&m);
	model_select(&m, 1);
	ck_assert_uint_eq(m.cur, 1);
	ck_assert_uint_eq(m.dirty, DIRTY_ALL);
	m.dirty = 0;
	model_select(&m, 5);		/* out of range: ignored */
	ck_assert_uint_eq(m.cur, 1);
	ck_assert_uint_eq(m.dirty, 0);
	model_free(&m);
}
END_TEST

static char *const spaces2[] = {
	"s1 SPACE id=4 title=\"Globex renewal\" description=\"\" role=owner"
	" people=3 pending=1 overdue=1 requests=0 workspace=1 creator=7"
	" archived=0 externals_invite=0",
	"s1 SPACE id=9 title=Partners description=x role=external people=2"
	" pending=0 overdue=0 requests=0 workspace=2 creator=3 archived=0"
	" externals_invite=1",
};

static char *const show4[] = {
	"s2 SPACE id=4 title=\"Globex renewal\" description=\"Q4\" role=owner"
	" people=3 pending=1 overdue=1 requests=0 workspace=1 creator=7"
	" archived=0 externals_invite=0",
	"s2 PARTICIPANT user=7 name=Alice email=a@x company=\"\" job_title=\"\""
	" role=owner status=active invited=1 active=1700000000 overdue=0",
	"s2 PARTICIPANT user=12 name=dana@globex.example"
	" email=dana@globex.example company=Globex job_title=\"\" role=external"
	" status=pending invited=1600000000 active=0 overdue=1",
};

START_TEST(spaces_list_and_show)
{
	struct model m;
	struct space *sp;

	setup(&m);
	ck_assert_int_eq(model_spaces(&m, spaces2, 2), 0);
	ck_assert_uint_eq(m.nspaces, 2);
	ck_assert(m.dirty & DIRTY_SIDEBAR);
	sp = model_space(&m, 4);
	ck_assert_ptr_nonnull(sp);
	ck_assert_int_eq(sp->overdue, 1);
	ck_assert(!sp->loaded);
	ck_assert_int_eq(model_space_show(&m, show4, 3, "big"), 0);
	sp = model_space(&m, 4);
	ck_assert(sp->loaded);
	ck_assert_uint_eq(sp->npeople, 2);
	ck_assert_str_eq(sp->people_list[1].status, "pending");
	ck_assert(sp->people_list[1].overdue);
	ck_assert_str_eq(sp->description, "Q4");
	ck_assert_str_eq(sp->warning, "big");
	/* Listed again: the people loaded stay. */
	ck_assert_int_eq(model_spaces(&m, spaces2, 2), 0);
	ck_assert(model_space(&m, 4)->loaded);
	ck_assert_uint_eq(model_space(&m, 4)->npeople, 2);
	/* A reply that does not parse changes nothing. */
	ck_assert_int_eq(model_spaces(&m, bad_lines, 1), -1);
	ck_assert_uint_eq(m.nspaces, 2);
	model_free(&m);
}
END_TEST

START_TEST(space_events)
{
	struct model m;

	setup(&m);
	ck_assert_int_eq(model_spaces(&m, spaces2, 2), 0);
	ck_assert_int_eq(model_event(&m, "* EVENT seq=20 type=space.updated "
	    "space=4 title=\"Globex 2027\" description=new "
	    "externals_invite=1"), 1);
	ck_assert_str_eq(model_space(&m, 4)->title, "Globex 2027");
	ck_assert_int_eq(model_space(&m, 4)->externals_invite, 1);
	ck_assert_str_eq(m.act[0].text, "space \u201cGlobex 2027\u201d updated");
	/* Archived: an external loses it, an owner keeps it, marked. */
	ck_assert_int_eq(model_event(&m, "* EVENT seq=21 type=space.archived "
	    "space=9"), 1);
	ck_assert_ptr_null(model_space(&m, 9));
	ck_assert_int_eq(model_event(&m, "* EVENT seq=22 type=space.archived "
	    "space=4"), 1);
	ck_assert_int_eq(model_space(&m, 4)->archived, 1);
	ck_assert(!m.spaces_stale);
	/* Someone joined: counts are the server's to say again. */
	ck_assert_int_eq(model_space_show(&m, show4, 3, NULL), 0);
	ck_assert_int_eq(model_event(&m, "* EVENT seq=23 type=participant.added"
	    " space=4 user=30 email=z@x role=external status=pending"), 1);
	ck_assert(m.spaces_stale);
	ck_assert(!model_space(&m, 4)->loaded);
	/* A space we do not know yet: list again. */
	m.spaces_stale = 0;
	ck_assert_int_eq(model_event(&m, "* EVENT seq=24 type=space.created "
	    "space=50 title=New"), 1);
	ck_assert(m.spaces_stale);
	ck_assert_int_eq(model_event(&m, "* EVENT seq=25 type=space.deleted "
	    "space=4"), 1);
	ck_assert_ptr_null(model_space(&m, 4));
	ck_assert_uint_eq(m.nspaces, 0);
	model_free(&m);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("model");
	TCase *tc = tcase_create("model");

	tcase_add_test(tc, whoami_fills);
	tcase_add_test(tc, whoami_again_keeps_state);
	tcase_add_test(tc, malformed_reply_changes_nothing);
	tcase_add_test(tc, member_added_sorted_and_once);
	tcase_add_test(tc, member_updated_in_place);
	tcase_add_test(tc, joining_a_workspace_makes_whoami_stale);
	tcase_add_test(tc, unknown_types_still_show);
	tcase_add_test(tc, malformed_events);
	tcase_add_test(tc, activity_is_bounded);
	tcase_add_test(tc, hostile_text_kept_raw);
	tcase_add_test(tc, select_marks_dirty);
	tcase_add_test(tc, spaces_list_and_show);
	tcase_add_test(tc, space_events);
	suite_add_tcase(s, tc);
	return check_run(s);
}
