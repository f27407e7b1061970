/* goalias: the tables behind Go probe aliases (see goalias.h).
 *
 * Registers are numbered in Go's register-ABI order: 0 RAX, 1 RBX, 2 RCX,
 * 3 RDI, 4 RSI, 5 R8, 6 R9, 7 R10, 8 R11 (integer arguments and results).
 * Layout facts used below, checked against the DWARF of Go 1.19-1.27
 * binaries:
 *   map type: Key *_type at +48, Elem *_type at +56 (runtime.maptype up to
 *             1.20, abi.MapType / abi.SwissMapType after); _type.size at +0
 *   hmap (classic): count at +0, B at +9        Swiss Map: used at +0
 *   g: stack.hi at +8, m at +48, goid at +152 (1.19-1.22, 1.25+) / +160 (1.23-1.24)
 *   m: g0 at +0, curg at +192 (up to 1.24) / +184 (1.25+)
 */
#include <string.h>

#include "goalias.h"

enum { RAX, RBX, RCX, RDI, RSI, R8, R9, R10, R11 };
#define NOREG 0xff

static const char *const alias_names[GA_NALIASES] = {
	[GA_MAPASSIGN] = "mapassign", [GA_MAPACCESS] = "mapaccess", [GA_MAPDELETE] = "mapdelete",
	[GA_MAKEMAP] = "makemap",     [GA_MAPGROW] = "mapgrow",     [GA_GROWSLICE] = "growslice",
	[GA_MALLOCGC] = "mallocgc",   [GA_NEWPROC] = "newproc",     [GA_GCSTART] = "gcstart",
	[GA_GOPARK] = "gopark",
};

/* Members of each alias. min/max minor: the Go versions that have them
 * (0 = no bound); members missing from a binary are simply not attached. */
const struct go_func go_funcs[] = {
	{ "runtime.mapassign", GA_MAPASSIGN, GK_PTR, 0, 0, RBX },
	{ "runtime.mapassign_fast32", GA_MAPASSIGN, GK_U32, 0, 0, RBX },
	{ "runtime.mapassign_fast32ptr", GA_MAPASSIGN, GK_PTR, 0, 0, RBX },
	{ "runtime.mapassign_fast64", GA_MAPASSIGN, GK_U64, 0, 0, RBX },
	{ "runtime.mapassign_fast64ptr", GA_MAPASSIGN, GK_PTR, 0, 0, RBX },
	{ "runtime.mapassign_faststr", GA_MAPASSIGN, GK_STR, 0, 0, RBX },
	{ "runtime.mapaccess1", GA_MAPACCESS, GK_PTR, 0, 0, RBX },
	{ "runtime.mapaccess2", GA_MAPACCESS, GK_PTR, 0, 0, RBX },
	{ "runtime.mapaccess1_fast32", GA_MAPACCESS, GK_U32, 0, 0, RBX },
	{ "runtime.mapaccess2_fast32", GA_MAPACCESS, GK_U32, 0, 0, RBX },
	{ "runtime.mapaccess1_fast64", GA_MAPACCESS, GK_U64, 0, 0, RBX },
	{ "runtime.mapaccess2_fast64", GA_MAPACCESS, GK_U64, 0, 0, RBX },
	{ "runtime.mapaccess1_faststr", GA_MAPACCESS, GK_STR, 0, 0, RBX },
	{ "runtime.mapaccess2_faststr", GA_MAPACCESS, GK_STR, 0, 0, RBX },
	{ "runtime.mapdelete", GA_MAPDELETE, GK_PTR, 0, 0, RBX },
	{ "runtime.mapdelete_fast32", GA_MAPDELETE, GK_U32, 0, 0, RBX },
	{ "runtime.mapdelete_fast64", GA_MAPDELETE, GK_U64, 0, 0, RBX },
	{ "runtime.mapdelete_faststr", GA_MAPDELETE, GK_STR, 0, 0, RBX },
	{ "runtime.makemap", GA_MAKEMAP, GK_NONE, 0, 0, NOREG },
	{ "runtime.makemap_small", GA_MAKEMAP, GK_NONE, 0, 0, NOREG },
	{ "runtime.makemap64", GA_MAKEMAP, GK_NONE, 0, 0, NOREG },
	/* classic maps: hashGrow(t, h) */
	{ "runtime.hashGrow", GA_MAPGROW, GK_NONE, 0, 23, RBX },
	/* Swiss maps: (*table).grow(typ, m, newCap), (*table).split(typ, m),
	 * (*Map).growToSmall(typ), (*Map).growToTable(typ) */
	{ "internal/runtime/maps.(*table).grow", GA_MAPGROW, GK_NONE, 24, 0, RCX },
	{ "internal/runtime/maps.(*table).split", GA_MAPGROW, GK_NONE, 24, 0, RCX },
	{ "internal/runtime/maps.(*Map).growToSmall", GA_MAPGROW, GK_NONE, 24, 0, RAX },
	{ "internal/runtime/maps.(*Map).growToTable", GA_MAPGROW, GK_NONE, 24, 0, RAX },
	{ "runtime.growslice", GA_GROWSLICE, GK_NONE, 0, 0, NOREG },
	{ "runtime.growsliceBuf", GA_GROWSLICE, GK_NONE, 26, 0, NOREG },
	{ "runtime.growsliceNoAlias", GA_GROWSLICE, GK_NONE, 26, 0, NOREG },
	{ "runtime.growsliceBufNoAlias", GA_GROWSLICE, GK_NONE, 26, 0, NOREG },
	{ "runtime.mallocgc", GA_MALLOCGC, GK_NONE, 0, 0, NOREG },
	{ "runtime.newproc", GA_NEWPROC, GK_NONE, 0, 0, NOREG },
	{ "runtime.gcStart", GA_GCSTART, GK_NONE, 0, 0, NOREG },
	{ "runtime.gopark", GA_GOPARK, GK_NONE, 0, 0, NOREG },
};
const int go_nfuncs = sizeof(go_funcs) / sizeof(go_funcs[0]);

enum go_alias go_alias_find(const char *name)
{
	for (int i = 0; i < GA_NALIASES; i++)
		if (!strcmp(alias_names[i], name))
			return (enum go_alias)i;
	return GA_NONE;
}

const char *go_alias_name(enum go_alias a)
{
	return a >= 0 && a < GA_NALIASES ? alias_names[a] : "?";
}

/* ---- named arguments ------------------------------------------------------ */

#define ARG(n, o, a, b, of) { .name = n, .op = o, .r1 = a, .r2 = b, .off = of }
#define RET(n, o, a, b, of) { .name = n, .op = o, .r1 = a, .r2 = b, .off = of, .ret = true }
#define END { 0 }

/* maps: (t *maptype, h *hmap, key) in every version */
#define MAP_ARGS(m)                                                                    \
	ARG("map", GO_REG, m, 0, 0), ARG("count", GO_MAPCOUNT, m, 0, 0),                \
	ARG("cap", GO_MAPCAP, m, 0, 0), ARG("keysize", GO_TYPESIZE, RAX, 0, 48),        \
	ARG("elemsize", GO_TYPESIZE, RAX, 0, 56)

static const struct go_arg map_ptrkey[] = { MAP_ARGS(RBX), ARG("key", GO_REG, RCX, 0, 0), END };
static const struct go_arg map_u32key[] = { MAP_ARGS(RBX), ARG("key", GO_REG32, RCX, 0, 0), END };
static const struct go_arg map_u64key[] = { MAP_ARGS(RBX), ARG("key", GO_REG, RCX, 0, 0), END };
static const struct go_arg map_strkey[] = { MAP_ARGS(RBX), ARG("key", GO_STR, RCX, RDI, 0), END };

/* makemap(t, hint, h) / makemap64(t, hint int64, h) / makemap_small(); result in RAX */
static const struct go_arg makemap_args[] = {
	ARG("hint", GO_REG, RBX, 0, 0), RET("map", GO_REG, RAX, 0, 0), END };
static const struct go_arg makemap_small_args[] = {
	ARG("hint", GO_ZERO, 0, 0, 0), RET("map", GO_REG, RAX, 0, 0), END };

static const struct go_arg grow_rbx[] = {
	ARG("map", GO_REG, RBX, 0, 0), ARG("count", GO_MAPCOUNT, RBX, 0, 0), ARG("cap", GO_MAPCAP, RBX, 0, 0), END };
static const struct go_arg grow_rcx[] = {
	ARG("map", GO_REG, RCX, 0, 0), ARG("count", GO_MAPCOUNT, RCX, 0, 0), ARG("cap", GO_MAPCAP, RCX, 0, 0), END };
static const struct go_arg grow_rax[] = {
	ARG("map", GO_REG, RAX, 0, 0), ARG("count", GO_MAPCOUNT, RAX, 0, 0), ARG("cap", GO_MAPCAP, RAX, 0, 0), END };

/* growslice up to 1.19: (et *_type, old slice{ptr,len,cap}, cap int) */
static const struct go_arg growslice_119[] = {
	ARG("oldptr", GO_REG, RBX, 0, 0), ARG("oldcap", GO_REG, RDI, 0, 0), ARG("cap", GO_REG, RDI, 0, 0),
	ARG("newlen", GO_REG, RSI, 0, 0), ARG("num", GO_DIFF, RSI, RCX, 0),
	ARG("elemsize", GO_TYPESIZE, RAX, 0, -1),
	RET("newptr", GO_REG, RAX, 0, 0), RET("newcap", GO_REG, RCX, 0, 0), END };
/* growslice from 1.20 (and growsliceBuf & co from 1.26, which add buffer
 * arguments after these): (oldPtr, newLen, oldCap, num int, et *_type) */
static const struct go_arg growslice_120[] = {
	ARG("oldptr", GO_REG, RAX, 0, 0), ARG("newlen", GO_REG, RBX, 0, 0), ARG("oldcap", GO_REG, RCX, 0, 0),
	ARG("cap", GO_REG, RCX, 0, 0), ARG("num", GO_REG, RDI, 0, 0), ARG("elemsize", GO_TYPESIZE, RSI, 0, -1),
	RET("newptr", GO_REG, RAX, 0, 0), RET("newcap", GO_REG, RCX, 0, 0), END };

/* mallocgc(size uintptr, typ *_type, needzero bool) */
static const struct go_arg mallocgc_args[] = {
	ARG("size", GO_REG, RAX, 0, 0), ARG("typ", GO_REG, RBX, 0, 0), ARG("needzero", GO_REG8, RCX, 0, 0), END };
/* newproc(fn *funcval): the entry PC is the funcval's first word */
static const struct go_arg newproc_args[] = { ARG("fn", GO_DEREF, RAX, 0, 0), END };
/* gcStart(trigger gcTrigger{kind, now, n}) */
static const struct go_arg gcstart_args[] = { ARG("kind", GO_REG, RAX, 0, 0), END };
/* gopark(unlockf, lock, reason waitReason (uint8), ...) */
static const struct go_arg gopark_args[] = { ARG("reason", GO_REG8, RCX, 0, 0), END };

static const struct go_arg none[] = { END };

static const struct go_arg *args_of(int fn, uint8_t minor)
{
	const struct go_func *f;

	if (fn < 0 || fn >= go_nfuncs)
		return none;
	f = &go_funcs[fn];
	switch (f->alias) {
	case GA_MAPASSIGN:
	case GA_MAPACCESS:
	case GA_MAPDELETE:
		switch (f->key) {
		case GK_U32: return map_u32key;
		case GK_U64: return map_u64key;
		case GK_STR: return map_strkey;
		default: return map_ptrkey;
		}
	case GA_MAKEMAP:
		return strcmp(f->name, "runtime.makemap_small") ? makemap_args : makemap_small_args;
	case GA_MAPGROW:
		return f->map_reg == RCX ? grow_rcx : f->map_reg == RAX ? grow_rax : grow_rbx;
	case GA_GROWSLICE:
		return minor && minor <= 19 ? growslice_119 : growslice_120;
	case GA_MALLOCGC: return mallocgc_args;
	case GA_NEWPROC: return newproc_args;
	case GA_GCSTART: return gcstart_args;
	case GA_GOPARK: return gopark_args;
	default: return none;
	}
}

const struct go_arg *go_arg_find(int fn, uint8_t minor, bool ret, const char *name)
{
	for (const struct go_arg *a = args_of(fn, minor); a->name; a++)
		if (a->ret == ret && !strcmp(a->name, name))
			return a;
	return NULL;
}

const struct go_arg *go_args(int fn, uint8_t minor, bool ret, int *n)
{
	const struct go_arg *a = args_of(fn, minor);

	*n = 0;
	while (a[*n].name)
		(*n)++;
	(void)ret;
	return a;
}

struct ty go_arg_type(const struct go_arg *a)
{
	if (a->op == GO_STR)
		return ty_str(STR_SIZE);
	return ty_int(8, a->is_signed);
}

int go_goid_offset(uint8_t minor)
{
	return minor == 23 || minor == 24 ? 160 : 152;
}

int go_reg_offset(int reg)
{
	/* struct pt_regs, x86-64 */
	static const int off[] = { 80 /* ax */, 40 /* bx */, 88 /* cx */, 112 /* di */, 104 /* si */,
				   72 /* r8 */, 64 /* r9 */, 56 /* r10 */, 48 /* r11 */ };

	return reg >= 0 && reg < 9 ? off[reg] : 80;
}
