/* tracefs: finding, mounting and reading the kernel's tracing filesystem.
 *
 * The root is looked up once in /proc/mounts (first tracefs mount, or
 * debugfs's tracing/ directory) and tracefs is mounted at
 * /sys/kernel/tracing when neither is there, which is the state of a fresh
 * boot on some machines. Listing walks events/CAT/NAME with readdir only
 * (no stat): a directory entry of events/CAT that is DT_DIR is a tracepoint.
 */
#include "tracefs.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static char tfs_path[PATH_MAX];

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int find_mounted(void)
{
	char line[PATH_MAX + 256];
	char dbg[PATH_MAX] = "";
	FILE *f;

	f = fopen("/proc/mounts", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char dev[256], dir[PATH_MAX], type[64];

		if (sscanf(line, "%255s %4095s %63s", dev, dir, type) != 3)
			continue;
		if (!strcmp(type, "tracefs")) {
			snprintf(tfs_path, sizeof(tfs_path), "%s", dir);
			fclose(f);
			return 0;
		}
		if (!strcmp(type, "debugfs") && !dbg[0])
			snprintf(dbg, sizeof(dbg), "%.4000s/tracing", dir);
	}
	fclose(f);
	/* debugfs automounts tracefs under tracing/ on access */
	if (dbg[0] && is_dir(dbg) && access(strcat(dbg, "/events"), F_OK) == 0) {
		dbg[strlen(dbg) - strlen("/events")] = '\0';
		snprintf(tfs_path, sizeof(tfs_path), "%s", dbg);
		return 0;
	}
	return -ENOENT;
}

const char *tfs_root(void)
{
	if (tfs_path[0])
		return tfs_path;
	if (find_mounted() == 0)
		return tfs_path;
	if (mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL)) {
		int err = errno;

		/* lost a race with another mounter? */
		if (find_mounted() == 0)
			return tfs_path;
		fprintf(stderr, "tracefs: failed to mount /sys/kernel/tracing: %s\n",
			strerror(err));
		errno = err;
		return NULL;
	}
	snprintf(tfs_path, sizeof(tfs_path), "/sys/kernel/tracing");
	return tfs_path;
}

static bool has_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct names {
	char **v;
	size_t n, cap;
};

static int names__add(struct names *ns, const char *s)
{
	if (ns->n == ns->cap) {
		size_t cap = ns->cap ? ns->cap * 2 : 64;
		char **v = realloc(ns->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		ns->v = v;
		ns->cap = cap;
	}
	ns->v[ns->n] = strdup(s);
	if (!ns->v[ns->n])
		return -ENOMEM;
	ns->n++;
	return 0;
}

static void names__free(struct names *ns)
{
	size_t i;

	for (i = 0; i < ns->n; i++)
		free(ns->v[i]);
	free(ns->v);
	ns->v = NULL;
	ns->n = ns->cap = 0;
}

/* Subdirectories of dir matching glob, sorted. A literal glob is checked
 * without reading the directory. */
static int list_dirs(const char *dir, const char *glob, struct names *out)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int err = 0;

	if (!has_glob(glob)) {
		if (snprintf(path, sizeof(path), "%s/%s", dir, glob) >= (int)sizeof(path))
			return 0;
		return is_dir(path) ? names__add(out, glob) : 0;
	}
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
			continue;
		if (fnmatch(glob, de->d_name, 0))
			continue;
		if (de->d_type == DT_UNKNOWN) {
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			if (!is_dir(path))
				continue;
		}
		err = names__add(out, de->d_name);
		if (err)
			break;
	}
	closedir(d);
	if (!err)
		qsort(out->v, out->n, sizeof(*out->v), str_cmp);
	return err;
}

struct tp {
	char *cat, *name;
};

static int tp_cmp(const void *a, const void *b)
{
	const struct tp *x = a, *y = b;

	return strcmp(x->cat, y->cat) ?: strcmp(x->name, y->name);
}

/* available_events: one "CAT:NAME" per line, the tracepoints that can be
 * enabled (bpftrace lists these: no ftrace:* internal events). */
static int list_available(const char *root, const char *cat_glob, const char *name_glob,
			  struct tp **out, size_t *nout)
{
	char path[PATH_MAX], line[512];
	struct tp *v = NULL;
	size_t n = 0, cap = 0;
	bool cat_lit = !has_glob(cat_glob), name_lit = !has_glob(name_glob);
	FILE *f;

	snprintf(path, sizeof(path), "%s/available_events", root);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':'), *nl = strchr(line, '\n');

		if (!colon)
			continue;
		if (nl)
			*nl = '\0';
		*colon = '\0';
		if (cat_lit ? strcmp(cat_glob, line) : fnmatch(cat_glob, line, 0))
			continue;
		if (name_lit ? strcmp(name_glob, colon + 1) : fnmatch(name_glob, colon + 1, 0))
			continue;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 256;
			struct tp *nv = realloc(v, ncap * sizeof(*nv));

			if (!nv)
				goto enomem;
			v = nv;
			cap = ncap;
		}
		v[n].cat = strdup(line);
		v[n].name = strdup(colon + 1);
		n++;
		if (!v[n - 1].cat || !v[n - 1].name)
			goto enomem;
	}
	fclose(f);
	if (n)
		qsort(v, n, sizeof(*v), tp_cmp);
	*out = v;
	*nout = n;
	return 0;
enomem:
	fclose(f);
	while (n--) {
		free(v[n].cat);
		free(v[n].name);
	}
	free(v);
	return -ENOMEM;
}

/* Fallback when available_events can't be read: walk events/CAT/NAME. */
static int list_walk(const char *root, const char *cat_glob, const char *name_glob,
		     int (*cb)(const char *cat, const char *name, void *ctx), void *ctx)
{
	struct names cats = { 0 }, evs = { 0 };
	char events[PATH_MAX], dir[PATH_MAX];
	int err, n = 0;
	size_t i, j;

	snprintf(events, sizeof(events), "%s/events", root);
	err = list_dirs(events, cat_glob, &cats);
	if (err)
		goto err_out;
	for (i = 0; i < cats.n; i++) {
		if (snprintf(dir, sizeof(dir), "%s/%s", events, cats.v[i]) >= (int)sizeof(dir))
			continue;
		names__free(&evs);
		err = list_dirs(dir, name_glob, &evs);
		if (err == -ENOENT || err == -ENOTDIR)
			continue;
		if (err)
			goto err_out;
		for (j = 0; j < evs.n; j++) {
			n++;
			if (!cb)
				continue;
			err = cb(cats.v[i], evs.v[j], ctx);
			if (err < 0)
				goto err_out;
		}
	}
	err = n;
err_out:
	names__free(&cats);
	names__free(&evs);
	return err;
}

int tfs_list(const char *cat_glob, const char *name_glob,
	     int (*cb)(const char *cat, const char *name, void *ctx), void *ctx)
{
	const char *root = tfs_root();
	struct tp *tps = NULL;
	size_t ntps = 0, i;
	int err;

	if (!root)
		return -errno;
	cat_glob = cat_glob ? cat_glob : "*";
	name_glob = name_glob ? name_glob : "*";
	if (!has_glob(cat_glob) && !has_glob(name_glob)) {
		/* one tracepoint by name: its directory says whether it exists
		 * (listing available_events makes the kernel print ~2000 lines) */
		char path[PATH_MAX];
		struct stat st;

		snprintf(path, sizeof(path), "%s/events/%s/%s/id", root, cat_glob, name_glob);
		if (stat(path, &st))
			return 0;
		err = cb ? cb(cat_glob, name_glob, ctx) : 0;
		return err < 0 ? err : 1;
	}
	err = list_available(root, cat_glob, name_glob, &tps, &ntps);
	if (err == -ENOMEM)
		return err;
	if (err)
		return list_walk(root, cat_glob, name_glob, cb, ctx);
	err = 0;
	for (i = 0; i < ntps && err >= 0; i++)
		if (cb)
			err = cb(tps[i].cat, tps[i].name, ctx);
	for (i = 0; i < ntps; i++) {
		free(tps[i].cat);
		free(tps[i].name);
	}
	free(tps);
	return err < 0 ? err : (int)ntps;
}

/* "field:unsigned short common_type;" -> type "unsigned short", name
 * "common_type"; "char comm[16]" -> "char[16]" and "comm"; "__data_loc
 * char[] name" -> data_loc. */
static int parse_decl(char *decl, struct tfs_field *f)
{
	char *end = decl + strlen(decl), *name, *br, *p;
	char type[512];

	while (end > decl && end[-1] == ' ')
		*--end = '\0';
	br = strchr(decl, '[');
	/* an array dimension on the name: "char comm[16]" */
	p = br && strrchr(decl, ' ') && br > strrchr(decl, ' ') ? br : NULL;
	if (p)
		*p = '\0';
	end = decl + strlen(decl);
	name = end;
	while (name > decl && name[-1] != ' ' && name[-1] != '*')
		name--;
	if (name == end)
		return -EINVAL;
	f->name = strdup(name);
	*name = '\0';
	p = p ? p + 1 : NULL;
	end = decl + strlen(decl);
	while (end > decl && end[-1] == ' ')
		*--end = '\0';
	if (!strncmp(decl, "__data_loc ", 11)) {
		f->is_data_loc = true;
		decl += 11;
	}
	if (p) {
		/* p points after '['; the rest of the original text is "16]" */
		snprintf(type, sizeof(type), "%s[%s", decl, p);
		f->is_array = true;
	} else {
		snprintf(type, sizeof(type), "%s", decl);
	}
	f->type = strdup(type);
	if (!f->name || !f->type)
		return -ENOMEM;
	return 0;
}

int tfs_format__read(const char *cat, const char *name, struct tfs_format **out)
{
	const char *root = tfs_root();
	struct tfs_format *fmt = NULL;
	char path[PATH_MAX], line[1024];
	FILE *f = NULL;
	int err, cap = 0;

	*out = NULL;
	if (!root)
		return -errno;
	if (strchr(cat, '/') || strchr(name, '/'))
		return -ENOENT;
	fmt = calloc(1, sizeof(*fmt));
	if (!fmt)
		return -ENOMEM;
	fmt->id = -1;
	snprintf(path, sizeof(path), "%s/events/%s/%s/format", root, cat, name);
	f = fopen(path, "re");
	if (!f) {
		err = -errno;
		goto err_out;
	}
	while (fgets(line, sizeof(line), f)) {
		struct tfs_field fld = { 0 };
		char *decl, *semi, *o, *s, *g;
		unsigned off, size;
		int sign = 0;

		if (!strncmp(line, "ID:", 3)) {
			fmt->id = atoi(line + 3);
			continue;
		}
		decl = strstr(line, "field:");
		if (!decl)
			continue;
		decl += 6;
		semi = strchr(decl, ';');
		if (!semi)
			continue;
		*semi = '\0';
		o = strstr(semi + 1, "offset:");
		s = strstr(semi + 1, "size:");
		g = strstr(semi + 1, "signed:");
		if (!o || !s || sscanf(o, "offset:%u", &off) != 1 ||
		    sscanf(s, "size:%u", &size) != 1)
			continue;
		if (g)
			sscanf(g, "signed:%d", &sign);
		if (fmt->nfields == cap) {
			int ncap = cap ? cap * 2 : 16;
			struct tfs_field *nf = realloc(fmt->fields, ncap * sizeof(*nf));

			if (!nf) {
				err = -ENOMEM;
				goto err_out;
			}
			fmt->fields = nf;
			cap = ncap;
		}
		err = parse_decl(decl, &fld);
		if (err) {
			free(fld.name);
			free(fld.type);
			if (err == -ENOMEM)
				goto err_out;
			continue;
		}
		fld.offset = off;
		fld.size = size;
		fld.is_signed = sign != 0;
		fmt->fields[fmt->nfields++] = fld;
	}
	if (fmt->id < 0) {
		/* older kernels: the id lives in its own file */
		FILE *idf;

		snprintf(path, sizeof(path), "%s/events/%s/%s/id", root, cat, name);
		idf = fopen(path, "re");
		if (idf) {
			if (fscanf(idf, "%d", &fmt->id) != 1)
				fmt->id = -1;
			fclose(idf);
		}
	}
	fclose(f);
	*out = fmt;
	return 0;
err_out:
	if (f)
		fclose(f);
	tfs_format__free(fmt);
	return err;
}

void tfs_format__free(struct tfs_format *f)
{
	int i;

	if (!f)
		return;
	for (i = 0; i < f->nfields; i++) {
		free(f->fields[i].name);
		free(f->fields[i].type);
	}
	free(f->fields);
	free(f);
}

const struct tfs_field *tfs_format__field(const struct tfs_format *f, const char *name)
{
	int i;

	for (i = 0; i < f->nfields; i++)
		if (!strcmp(f->fields[i].name, name))
			return &f->fields[i];
	return NULL;
}
