/*
 * Conversations (cmd-message.c): what "unread" means, in one place, for
 * MSG.LIST, CONV.LIST and CONTACTS. A message is unread by a user when it
 * is in their conversation, after their read position (conversation_reads,
 * 0 when none) and not their own.
 */
#ifndef AGORA_MESSAGE_H
#define AGORA_MESSAGE_H

#include "proto.h"

/* Longest body, in bytes; sql/005_networks.sql agrees. */
#define MESSAGE_BODY_MAX	PROTO_MESSAGE_MAX

/* SQL: how many messages of conversation conv user has not read. */
#define MESSAGE_UNREAD_SQL(conv, user) \
	"(SELECT count(*) FROM messages um WHERE um.conversation_id = " conv \
	" AND um.sender_id <> " user " AND um.id > coalesce((SELECT" \
	" ur.last_read FROM conversation_reads ur WHERE" \
	" ur.conversation_id = " conv " AND ur.user_id = " user "), 0))"

/* SQL: the same for the private conversation of user with other (0 when
 * they have none). */
#define MESSAGE_UNREAD_DIRECT_SQL(user, other) \
	"coalesce((SELECT " MESSAGE_UNREAD_SQL("uc.id", user) \
	" FROM conversations uc WHERE uc.user_lo = least(" user ", " other ")" \
	" AND uc.user_hi = greatest(" user ", " other ")), 0)"

#endif
