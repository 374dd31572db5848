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
	size_t n;

	setup(&m);
	ck_assert_int_eq(model_spaces(&m, spaces2, 2), 0);
	ck_assert_int_eq(model_event(&m, "* EVENT seq=20 type=space.updated "
	    "space=4 title=\"Globex 2027\" description=new "
	    "externals_invite=1"), 1);
	ck_assert_str_eq(model_space(&m, 4)->title, "Globex 2027");
	ck_assert_int_eq(model_space(&m, 4)->externals_invite, 1);
	ck_assert_str_eq(m.act[0].text, "space \u201cGlobex 2027\u201d updated");
	/* Flagged as a network: the rest of what it said stays. */
	ck_assert_int_eq(model_event(&m, "* EVENT seq=20 type=space.updated "
	    "space=4 title=\"Globex 2027\" network=1"), 0);
	ck_assert_int_eq(model_event(&m, "* EVENT seq=26 type=space.updated "
	    "space=4 title=\"Globex 2027\" network=1"), 1);
	ck_assert_str_eq(model_space(&m, 4)->description, "new");
	ck_assert_int_eq(model_space(&m, 4)->externals_invite, 1);
	ck_assert_int_eq(model_space(&m, 4)->network, 1);
	/* Everyone's role changed with it: the list is asked again. */
	ck_assert(m.spaces_stale);
	m.spaces_stale = 0;
	/* Archived: an external loses it, an owner keeps it, marked. */
	ck_assert_int_eq(model_event(&m, "* EVENT seq=27 type=space.archived "
	    "space=9"), 1);
	ck_assert_ptr_null(model_space(&m, 9));
	ck_assert_int_eq(model_event(&m, "* EVENT seq=28 type=space.archived "
	    "space=4"), 1);
	ck_assert_int_eq(model_space(&m, 4)->archived, 1);
	ck_assert(!m.spaces_stale);
	/* Someone joined: counts are the server's to say again. */
	ck_assert_int_eq(model_space_show(&m, show4, 3, NULL), 0);
	ck_assert_int_eq(model_event(&m, "* EVENT seq=29 type=participant.added"
	    " space=4 user=30 email=z@x role=external status=pending"), 1);
	ck_assert(m.spaces_stale);
	ck_assert(!model_space(&m, 4)->loaded);
	/* A space we do not know yet: list again. */
	m.spaces_stale = 0;
	ck_assert_int_eq(model_event(&m, "* EVENT seq=30 type=space.created "
	    "space=50 title=New"), 1);
	ck_assert(m.spaces_stale);
	ck_assert_int_eq(model_event(&m, "* EVENT seq=31 type=space.deleted "
	    "space=4"), 1);
	ck_assert_ptr_null(model_space(&m, 4));
	ck_assert_uint_eq(m.nspaces, 0);
	/* The tombstone of a space this screen never had is no news. */
	n = m.nact;
	ck_assert_int_eq(model_event(&m, "* EVENT seq=32 type=space.deleted "
	    "space=77"), 1);
	ck_assert_uint_eq(m.nact, n);
	model_free(&m);
}
END_TEST

/*
 * How a space knows someone: the name it set, and the person's own
 * beside it; a profile event says both, and the people are asked again.
 */
static char *const show_local[] = {
	"s3 SPACE id=4 title=\"Globex renewal\" description=\"\" role=external"
	" people=2 pending=1 overdue=0 requests=0 workspace=1 creator=7"
	" archived=0 externals_invite=0",
	"s3 PARTICIPANT user=7 name=Alice company=\"\" job_title=\"\""
	" email=a@x role=owner status=active invited=1 active=1 overdue=0",
	"s3 PARTICIPANT user=15 name=\"IT Support\" company=\"Acme IT\""
	" job_title=Helpdesk own_name=\"Vic Victim\" own_company=\"\""
	" email=vic@x role=external status=pending invited=1 active=0"
	" overdue=0",
};

START_TEST(space_local_profiles)
{
	struct model m;
	struct participant *p;

	setup(&m);
	ck_assert_int_eq(model_space_show(&m, show_local, 3, NULL), 0);
	p = &model_space(&m, 4)->people_list[0];
	ck_assert_str_eq(p->name, "Alice");
	ck_assert_ptr_null(p->own_name);
	ck_assert_ptr_null(p->own_company);
	ck_assert_ptr_null(p->own_job_title);
	p = &model_space(&m, 4)->people_list[1];
	ck_assert_str_eq(p->name, "IT Support");
	ck_assert_str_eq(p->own_name, "Vic Victim");
	ck_assert_str_eq(p->company, "Acme IT");
	ck_assert_str_eq(p->own_company, "");
	ck_assert_str_eq(p->job_title, "Helpdesk");
	ck_assert_ptr_null(p->own_job_title);
	m.spaces_stale = 0;
	ck_assert_int_eq(model_event(&m, "* EVENT seq=40"
	    " type=participant.updated space=4 user=15 email=vic@x"
	    " role=external status=pending name=\"IT Support\""
	    " company=\"Acme IT\" job_title=Helpdesk own_name=\"Vic Victim\""
	    " own_company=\"\""), 1);
	ck_assert_str_eq(m.act[m.nact - 1].text, "profile of vic@x in "
	    "\u201cGlobex renewal\u201d: IT Support (their own name: Vic "
	    "Victim)");
	ck_assert(!model_space(&m, 4)->loaded);
	ck_assert(m.spaces_stale);
	/* A status change says the status, as before. */
	ck_assert_int_eq(model_event(&m, "* EVENT seq=41"
	    " type=participant.updated space=4 user=15 email=vic@x"
	    " role=external status=active"), 1);
	ck_assert_str_eq(m.act[m.nact - 1].text, "vic@x active in "
	    "\u201cGlobex renewal\u201d");
	model_free(&m);
}
END_TEST

/* Having left a space (SPACE.LEAVE elsewhere): it goes from this screen. */
START_TEST(space_left)
{
	struct model m;

	setup(&m);
	ck_assert_int_eq(model_spaces(&m, spaces2, 2), 0);
	ck_assert_int_eq(model_event(&m, "* EVENT seq=20 type=space.left "
	    "space=9"), 1);
	ck_assert_ptr_null(model_space(&m, 9));
	ck_assert_ptr_nonnull(model_space(&m, 4));
	ck_assert(m.dirty & DIRTY_SIDEBAR);
	model_free(&m);
}
END_TEST


/* Professional contacts ------------------------------------------------- */

/* Out of name order, Bob twice (the server says each once; the client
   does not count on it). */
static char *const contacts3[] = {
	"c1 CONTACT user=9 name=\"carla D\xc3\xad" "az\" email=carla@x"
	" company=Initech job_title=\"\" online=0 networks=1 always_add=0"
	" always_collaborator=0 unread=0",
	"c1 CONTACT user=8 name=\"Bob Chen\" email=bob@x company=Globex"
	" job_title=CFO online=1 networks=2 always_add=1"
	" always_collaborator=0 unread=3",
	"c1 CONTACT user=8 name=\"Bob Chen\" email=bob@x company=Globex"
	" job_title=CFO online=1 networks=2 always_add=1"
	" always_collaborator=0 unread=3",
};

static void
setup_contacts(struct model *m)
{
	setup(m);
	ck_assert_int_eq(model_spaces(m, spaces2, 2), 0);
	ck_assert_int_eq(model_contacts(m, contacts3, 3, 0), 0);
	m->dirty = 0;
}

START_TEST(contacts_sorted_once)
{
	struct model m;
	char *const bad[] = {
		"c2 CONTACT user=10 name=Zed",
		"c2 CONTACT name=\"no user\"",
	};

	setup(&m);
	ck_assert_int_eq(m.contacts_state, CONTACTS_UNKNOWN);
	ck_assert_int_eq(model_contacts(&m, contacts3, 3, 0), 0);
	ck_assert_int_eq(m.contacts_state, CONTACTS_LOADED);
	ck_assert(m.dirty & DIRTY_SIDEBAR);
	ck_assert_uint_eq(m.ncontacts, 2);
	ck_assert_str_eq(m.contacts[0].name, "Bob Chen");
	ck_assert_str_eq(m.contacts[1].name, "carla D\xc3\xad" "az");
	ck_assert_int_eq(m.contacts[0].online, 1);
	ck_assert_int_eq(m.contacts[0].unread, 3);
	ck_assert_int_eq(m.contacts[0].networks, 2);
	ck_assert_int_eq(m.contacts[0].always_add, 1);
	ck_assert_str_eq(model_contact(&m, 9)->company, "Initech");
	ck_assert_ptr_null(model_contact(&m, 10));
	/* A reply that does not parse changes nothing. */
	ck_assert_int_eq(model_contacts(&m, bad, 2, 0), -1);
	ck_assert_uint_eq(m.ncontacts, 2);
	/* No paid plan: no list, and the state says why. */
	model_contacts_refused(&m);
	ck_assert_int_eq(m.contacts_state, CONTACTS_PLAN_REQUIRED);
	ck_assert_uint_eq(m.ncontacts, 0);
	/* An empty list is a list. */
	ck_assert_int_eq(model_contacts(&m, NULL, 0, 0), 0);
	ck_assert_int_eq(m.contacts_state, CONTACTS_LOADED);
	model_free(&m);
}
END_TEST

/*
 * A presence event that overtook a CONTACTS reply read before it (its
 * seq above the reply's mark) is not undone by the reply; one the reply
 * already reflects (seq at or below the mark) is.
 */
START_TEST(contacts_reply_keeps_newer_events)
{
	struct model m;

	setup_contacts(&m);
	ck_assert_int_eq(model_event(&m, "* EVENT seq=40 type=presence user=9"
	    " online=1"), 1);
	ck_assert_int_eq(model_event(&m, "* EVENT seq=41 type=contact.prefs "
	    "user=9 always_add=1 always_collaborator=0"), 1);
	/* contacts3 says user 9 is offline, always_add 0: read at seq 39. */
	ck_assert_int_eq(model_contacts(&m, contacts3, 3, 39), 0);
	ck_assert_int_eq(model_contact(&m, 9)->online, 1);
	ck_assert_int_eq(model_contact(&m, 9)->always_add, 1);
	/* Read at seq 41, after both: the reply is the truth. */
	ck_assert_int_eq(model_contacts(&m, contacts3, 3, 41), 0);
	ck_assert_int_eq(model_contact(&m, 9)->online, 0);
	ck_assert_int_eq(model_contact(&m, 9)->always_add, 0);
	model_free(&m);
}
END_TEST

START_TEST(contact_events)
{
	struct model m;
	size_t nact;

	setup_contacts(&m);
	nact = m.nact;
	/* Presence flips the mark; it is not news for the feed. */
	ck_assert_int_eq(model_event(&m, "* EVENT seq=30 type=presence user=9"
	    " online=1"), 1);
	ck_assert_int_eq(model_contact(&m, 9)->online, 1);
	ck_assert(m.dirty & DIRTY_SIDEBAR);
	ck_assert_int_eq(model_event(&m, "* EVENT seq=31 type=presence user=8"
	    " online=0"), 1);
	ck_assert_int_eq(model_contact(&m, 8)->online, 0);
	/* Replayed by SYNC: applied once. */
	ck_assert_int_eq(model_event(&m, "* EVENT seq=30 type=presence user=9"
	    " online=0"), 0);
	ck_assert_int_eq(model_contact(&m, 9)->online, 1);
	/* Someone we do not list: nothing breaks. */
	ck_assert_int_eq(model_event(&m, "* EVENT seq=32 type=presence user=99"
	    " online=1"), 1);
	ck_assert_int_eq(model_event(&m, "* EVENT seq=33 type=contact.prefs "
	    "user=9 always_add=1 always_collaborator=1"), 1);
	ck_assert_int_eq(model_contact(&m, 9)->always_add, 1);
	ck_assert_int_eq(model_contact(&m, 9)->always_collaborator, 1);
	ck_assert(!m.contacts_stale);
	ck_assert_int_eq(model_event(&m, "* EVENT seq=34 type=contacts.changed"
	    " space=9"), 1);
	ck_assert(m.contacts_stale);
	ck_assert_uint_eq(m.nact, nact);
	model_free(&m);
}
END_TEST

START_TEST(contact_show_networks)
{
	struct model m;
	char *const show[] = {
		"c3 CONTACT user=9 name=\"Carla D\xc3\xad" "az\" email=carla@x"
		" company=Initech job_title=CEO online=1 networks=2"
		" always_add=1 always_collaborator=0 unread=0",
		"c3 NETWORK space=9 title=Partners",
		"c3 NETWORK space=12 title=\"Board \\\"B\\\"\"",
	};
	char *const stray[] = { "c4 SPACE id=1 title=x" };
	char *const stranger[] = { "c5 CONTACT user=44 name=New email=n@x" };

	setup_contacts(&m);
	ck_assert_int_eq(model_contact_show(&m, show, 3, 0), 0);
	ck_assert_int_eq(m.common_of, 9);
	ck_assert_uint_eq(m.ncommon, 2);
	ck_assert_int_eq(m.common[1].space, 12);
	ck_assert_str_eq(m.common[1].title, "Board \"B\"");
	/* The contact's line is the newest word on them. */
	ck_assert_str_eq(model_contact(&m, 9)->job_title, "CEO");
	ck_assert_int_eq(model_contact(&m, 9)->networks, 2);
	ck_assert_int_eq(model_contact_show(&m, stray, 1, 0), -1);
	ck_assert_uint_eq(m.ncommon, 2);
	/* Someone CONTACTS did not list: the list is asked again. */
	ck_assert_int_eq(model_contact_show(&m, stranger, 1, 0), 0);
	ck_assert(m.contacts_stale);
	ck_assert_ptr_null(model_contact(&m, 44));
	model_free(&m);
}
END_TEST

START_TEST(candidates_in_server_order)
{
	struct model m;
	char *const lines[] = {
		"i1 CANDIDATE user=8 name=\"Bob Chen\" email=bob@x contact=1",
		"i1 CANDIDATE user=3 name=Abe email=abe@x contact=0",
	};
	char *const bad[] = { "i2 CANDIDATE name=x" };

	setup(&m);
	ck_assert_int_eq(model_candidates(&m, lines, 2), 0);
	ck_assert_uint_eq(m.ncands, 2);
	ck_assert_str_eq(m.cands[0].email, "bob@x");
	ck_assert_int_eq(m.cands[0].contact, 1);
	ck_assert_int_eq(m.cands[1].contact, 0);
	ck_assert_int_eq(model_candidates(&m, bad, 1), -1);
	ck_assert_uint_eq(m.ncands, 2);
	model_candidates_clear(&m);
	ck_assert_uint_eq(m.ncands, 0);
	model_free(&m);
}
END_TEST

/* Networks -------------------------------------------------------------- */

START_TEST(network_flag)
{
	struct model m;
	char *const lines[] = {
		"s1 SPACE id=4 title=Globex role=owner network=1",
		"s1 SPACE id=5 title=Plain role=owner",
	};

	setup(&m);
	ck_assert_int_eq(model_spaces(&m, lines, 2), 0);
	ck_assert_int_eq(model_space(&m, 4)->network, 1);
	ck_assert_int_eq(model_space(&m, 5)->network, 0);
	/* Un-flagged: everyone's role changed too, so ask again. */
	ck_assert_int_eq(model_event(&m, "* EVENT seq=40 type=space.updated "
	    "space=4 title=Globex network=0"), 1);
	ck_assert_int_eq(model_space(&m, 4)->network, 0);
	ck_assert(m.spaces_stale);
	/* An update that does not say leaves the flag. */
	m.spaces_stale = 0;
	ck_assert_int_eq(model_event(&m, "* EVENT seq=41 type=space.updated "
	    "space=5 title=Plain2"), 1);
	ck_assert_int_eq(model_space(&m, 5)->network, 0);
	ck_assert(!m.spaces_stale);
	model_free(&m);
}
END_TEST

/* Conversations --------------------------------------------------------- */

static char *const page_new[] = {
	"m1 MESSAGE id=5 from=7 name=\"Alice Martin\" at=1700000000 body=hi",
	"m1 MESSAGE id=6 from=8 name=\"Bob Chen\" at=1700000060"
	" body=\"two\\nlines\"",
	"m1 MESSAGE id=9 from=8 name=\"Bob Chen\" at=1700000120 body=three",
};
static const char *final_new = "m1 OK conversation=70 count=3 more=1"
	" last_read=5 unread=2";

START_TEST(chat_pages_merge)
{
	struct model m;
	char *const older[] = {
		"m2 MESSAGE id=2 from=8 name=\"Bob Chen\" at=1 body=first",
		"m2 MESSAGE id=4 from=7 name=\"Alice Martin\" at=2 body=second",
	};
	char *const bad[] = { "m3 MESSAGE id=1 from=8" };
	unsigned gen;

	setup_contacts(&m);
	model_chat_open(&m, CHAT_DIRECT, 8);
	gen = m.chat.gen;
	ck_assert(!m.chat.loaded);
	ck_assert_int_eq(model_chat_page(&m, page_new, 3, final_new), 0);
	ck_assert(m.chat.loaded);
	ck_assert(m.chat.more);
	ck_assert_int_eq(m.chat.conversation, 70);
	ck_assert_uint_eq(m.chat.nmsgs, 3);
	ck_assert_str_eq(m.chat.msgs[1].body, "two\nlines");
	/* The "new" line: the first message after last_read not ours. */
	ck_assert_int_eq(m.chat.first_unread, 6);
	ck_assert_int_eq(m.chat.read_upto, 5);
	/* The page before, oldest first too: in front, in order. */
	ck_assert_int_eq(model_chat_page(&m, older, 2, "m2 OK conversation=70"
	    " count=2 more=0 last_read=5 unread=2"), 0);
	ck_assert_uint_eq(m.chat.nmsgs, 5);
	ck_assert_int_eq(m.chat.msgs[0].id, 2);
	ck_assert_int_eq(m.chat.msgs[2].id, 5);
	ck_assert(!m.chat.more);
	ck_assert_int_eq(m.chat.first_unread, 6);	/* stays */
	/* The same page twice: each message once. */
	ck_assert_int_eq(model_chat_page(&m, older, 2, "m2 OK more=0"), 0);
	ck_assert_uint_eq(m.chat.nmsgs, 5);
	ck_assert_ptr_nonnull(model_chat_message(&m, 4));
	ck_assert_ptr_null(model_chat_message(&m, 3));
	ck_assert_int_eq(model_chat_page(&m, bad, 1, "m3 OK more=0"), -1);
	ck_assert_uint_eq(m.chat.nmsgs, 5);
	/* Another conversation: nothing of this one stays. */
	model_chat_open(&m, CHAT_SPACE, 4);
	ck_assert_uint_gt(m.chat.gen, gen);
	ck_assert_uint_eq(m.chat.nmsgs, 0);
	ck_assert_int_eq(m.chat.first_unread, 0);
	model_chat_close(&m);
	ck_assert_int_eq(m.chat.kind, CHAT_NONE);
	model_free(&m);
}
END_TEST

START_TEST(chat_live_and_unread)
{
	struct model m;
	size_t nact;

	setup_contacts(&m);
	model_chat_open(&m, CHAT_DIRECT, 8);
	ck_assert_int_eq(model_chat_page(&m, page_new, 3, final_new), 0);
	nact = m.nact;
	/* From Bob, the open conversation, not being watched: in the
	   history, counted, and in the feed (not its body). */
	ck_assert_int_eq(model_event(&m, "* EVENT seq=50 type=message.new "
	    "id=11 conversation=70 kind=direct from=8 name=\"Bob Chen\" to=7 "
	    "at=1700000200 body=\"secret plan\""), 1);
	ck_assert_uint_eq(m.chat.nmsgs, 4);
	ck_assert_int_eq(m.chat.msgs[3].id, 11);
	ck_assert_int_eq(model_contact(&m, 8)->unread, 4);
	ck_assert_uint_eq(m.nact, nact + 1);
	ck_assert_str_eq(m.act[m.nact - 1].text, "Bob Chen wrote to you");
	/* Being watched (at the newest, focused): read as it comes. */
	m.chat.reading = 1;
	ck_assert_int_eq(model_event(&m, "* EVENT seq=51 type=message.new "
	    "id=12 conversation=70 kind=direct from=8 name=\"Bob Chen\" to=7 "
	    "at=1700000201 body=x"), 1);
	ck_assert_uint_eq(m.chat.nmsgs, 5);
	ck_assert_int_eq(model_contact(&m, 8)->unread, 4);
	/* Ours, from another client: history, no count, no feed. */
	nact = m.nact;
	ck_assert_int_eq(model_event(&m, "* EVENT seq=52 type=message.new "
	    "id=13 conversation=70 kind=direct from=7 name=Alice to=8 "
	    "at=1700000202 body=mine"), 1);
	ck_assert_uint_eq(m.chat.nmsgs, 6);
	ck_assert_uint_eq(m.nact, nact);
	ck_assert_int_eq(model_contact(&m, 8)->unread, 4);
	/* Carla writes: her count, not this history. */
	ck_assert_int_eq(model_event(&m, "* EVENT seq=53 type=message.new "
	    "id=14 conversation=71 kind=direct from=9 name=Carla to=7 "
	    "at=1700000203 body=hey"), 1);
	ck_assert_uint_eq(m.chat.nmsgs, 6);
	ck_assert_int_eq(model_contact(&m, 9)->unread, 1);
	/* Read elsewhere: the count is the server's. */
	ck_assert_int_eq(model_event(&m, "* EVENT seq=54 type=conversation.read"
	    " conversation=71 with=9 upto=14 unread=0"), 1);
	ck_assert_int_eq(model_contact(&m, 9)->unread, 0);
	ck_assert_int_eq(model_event(&m, "* EVENT seq=55 type=conversation.read"
	    " conversation=70 with=8 upto=12 unread=0"), 1);
	ck_assert_int_eq(m.chat.read_upto, 12);
	ck_assert_int_eq(model_contact(&m, 8)->unread, 0);
	/* A message replayed by SYNC after a reconnect: once. */
	ck_assert_int_eq(model_event(&m, "* EVENT seq=51 type=message.new "
	    "id=12 conversation=70 kind=direct from=8 name=\"Bob Chen\" to=7 "
	    "at=1700000201 body=x"), 0);
	ck_assert_uint_eq(m.chat.nmsgs, 6);
	model_free(&m);
}
END_TEST

START_TEST(chat_new_line_for_late_arrivals)
{
	struct model m;
	const char *read_all = "m1 OK conversation=70 count=3 more=0"
	    " last_read=9 unread=0";

	setup_contacts(&m);
	model_chat_open(&m, CHAT_DIRECT, 8);
	ck_assert_int_eq(model_chat_page(&m, page_new, 3, read_all), 0);
	ck_assert_int_eq(m.chat.first_unread, 0);
	/* Scrolled up (not watching): the "new" line goes before it. */
	ck_assert_int_eq(model_event(&m, "* EVENT seq=60 type=message.new "
	    "id=20 conversation=70 kind=direct from=8 name=B to=7 at=1 "
	    "body=a"), 1);
	ck_assert_int_eq(m.chat.first_unread, 20);
	ck_assert_int_eq(model_event(&m, "* EVENT seq=61 type=message.new "
	    "id=21 conversation=70 kind=direct from=8 name=B to=7 at=1 "
	    "body=b"), 1);
	ck_assert_int_eq(m.chat.first_unread, 20);
	model_free(&m);
}
END_TEST

START_TEST(space_discussion_unread)
{
	struct model m;
	char *const convs[] = {
		"v1 CONVERSATION id=70 kind=direct with=8 name=\"Bob Chen\" "
		"last=9 at=1 unread=2",
		"v1 CONVERSATION id=80 kind=space space=4"
		" title=\"Globex renewal\" last=30 at=2 unread=5",
		"v1 CONVERSATION id=81 kind=space space=77 title=Gone last=1 "
		"at=1 unread=1",
	};
	char *const bad[] = { "v2 CONVERSATION id=1" };

	setup_contacts(&m);
	ck_assert_int_eq(model_conversations(&m, convs, 3), 0);
	ck_assert_int_eq(model_space(&m, 4)->unread, 5);
	ck_assert_int_eq(model_contact(&m, 8)->unread, 2);
	ck_assert_int_eq(model_conversations(&m, bad, 1), -1);
	ck_assert_int_eq(model_event(&m, "* EVENT seq=70 type=message.new "
	    "id=31 conversation=80 kind=space space=4 from=8 name=\"Bob Chen\" "
	    "at=3 body=\"agenda?\""), 1);
	ck_assert_int_eq(model_space(&m, 4)->unread, 6);
	ck_assert_str_eq(m.act[m.nact - 1].text,
	    "Bob Chen wrote in \u201cGlobex renewal\u201d");
	/* The count survives the list being asked again. */
	ck_assert_int_eq(model_spaces(&m, spaces2, 2), 0);
	ck_assert_int_eq(model_space(&m, 4)->unread, 6);
	/* The discussion open: its messages come in. */
	model_chat_open(&m, CHAT_SPACE, 4);
	ck_assert_int_eq(model_event(&m, "* EVENT seq=71 type=message.new "
	    "id=32 conversation=80 kind=space space=4 from=8 name=\"Bob Chen\" "
	    "at=4 body=\"and?\""), 1);
	ck_assert_uint_eq(m.chat.nmsgs, 1);
	ck_assert_int_eq(m.chat.conversation, 80);
	ck_assert_int_eq(model_event(&m, "* EVENT seq=72 type=conversation.read"
	    " conversation=80 space=4 upto=32 unread=0"), 1);
	ck_assert_int_eq(model_space(&m, 4)->unread, 0);
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
	tcase_add_test(tc, contacts_sorted_once);
	tcase_add_test(tc, space_left);
	tcase_add_test(tc, space_local_profiles);
	tcase_add_test(tc, contacts_reply_keeps_newer_events);
	tcase_add_test(tc, contact_events);
	tcase_add_test(tc, contact_show_networks);
	tcase_add_test(tc, candidates_in_server_order);
	tcase_add_test(tc, network_flag);
	tcase_add_test(tc, chat_pages_merge);
	tcase_add_test(tc, chat_live_and_unread);
	tcase_add_test(tc, chat_new_line_for_late_arrivals);
	tcase_add_test(tc, space_discussion_unread);
	suite_add_tcase(s, tc);
	return check_run(s);
}
