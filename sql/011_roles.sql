-- 011: roles as rows (DESIGN §2.1, §7; server/authz.h).
--
-- A role is a grid: a scope for each data area (none, own, team, all) and
-- yes or no for each settings area. Every workspace has its own rows for
-- the four built-in roles, made with the workspace, so that a membership
-- names its role by (workspace, name) through a foreign key, and a custom
-- role later is one more row of the same table, read the same way.
CREATE DOMAIN role_scope AS text
    CHECK (VALUE IN ('none', 'own', 'team', 'all'));

CREATE TABLE roles (
    workspace_id    bigint NOT NULL REFERENCES workspaces ON DELETE CASCADE,
    name            text NOT NULL CHECK (name <> '' AND length(name) <= 60),
    builtin         boolean NOT NULL DEFAULT false,
    spaces          role_scope NOT NULL,
    contacts        role_scope NOT NULL,
    conversations   role_scope NOT NULL,
    calendar        role_scope NOT NULL,
    tasks           role_scope NOT NULL,
    opportunities   role_scope NOT NULL,
    analytics       role_scope NOT NULL,
    billing         boolean NOT NULL,
    users           boolean NOT NULL,
    integrations    boolean NOT NULL,
    PRIMARY KEY (workspace_id, name)
);

-- The built-in grid, written once. Owners hold everything; admins all
-- but billing; managers see their teams' data and analytics and hold no
-- settings; members their own and their teams' data.
CREATE FUNCTION roles_add_builtin(ws bigint) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO roles (workspace_id, name, builtin, spaces, contacts,
        conversations, calendar, tasks, opportunities, analytics, billing,
        users, integrations)
    VALUES
        (ws, 'owner', true, 'all', 'all', 'all', 'all', 'all', 'all', 'all',
         true, true, true),
        (ws, 'admin', true, 'all', 'all', 'all', 'all', 'all', 'all', 'all',
         false, true, true),
        (ws, 'manager', true, 'team', 'team', 'team', 'team', 'team', 'team',
         'team', false, false, false),
        (ws, 'member', true, 'team', 'team', 'team', 'team', 'team', 'team',
         'none', false, false, false)
$$;

CREATE FUNCTION roles_builtin_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM roles_add_builtin(NEW.id);
    RETURN NEW;
END
$$;

CREATE TRIGGER workspaces_roles AFTER INSERT ON workspaces
    FOR EACH ROW EXECUTE FUNCTION roles_builtin_trigger();

SELECT roles_add_builtin(id) FROM workspaces;

-- A membership's role is one of its workspace's roles.
ALTER TABLE memberships DROP CONSTRAINT memberships_role_check;
ALTER TABLE memberships ADD FOREIGN KEY (workspace_id, role)
    REFERENCES roles (workspace_id, name) ON UPDATE CASCADE;

-- A signed-in session holds its workspaces, plans and roles (authz.h);
-- when they change, the users concerned are named on agora_roles and
-- every agorad reads their sessions again (server/bus.c).
CREATE FUNCTION roles_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    row record;
BEGIN
    IF TG_OP = 'DELETE' THEN row := OLD; ELSE row := NEW; END IF;
    IF TG_TABLE_NAME = 'memberships' THEN
        PERFORM pg_notify('agora_roles', row.user_id::text);
        IF TG_OP = 'UPDATE' AND OLD.user_id <> NEW.user_id THEN
            PERFORM pg_notify('agora_roles', OLD.user_id::text);
        END IF;
    ELSIF TG_TABLE_NAME = 'roles' THEN
        PERFORM pg_notify('agora_roles', m.user_id::text)
        FROM memberships m
        WHERE m.workspace_id = row.workspace_id AND m.role = row.name;
    ELSE
        PERFORM pg_notify('agora_roles', m.user_id::text)
        FROM memberships m WHERE m.workspace_id = row.id;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER memberships_notify
    AFTER INSERT OR UPDATE OR DELETE ON memberships
    FOR EACH ROW EXECUTE FUNCTION roles_notify();
CREATE TRIGGER roles_notify AFTER UPDATE ON roles
    FOR EACH ROW EXECUTE FUNCTION roles_notify();
CREATE TRIGGER workspaces_notify AFTER UPDATE ON workspaces
    FOR EACH ROW EXECUTE FUNCTION roles_notify();
