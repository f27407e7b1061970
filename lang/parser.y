/* parser: the grammar of hark (bpftrace's core), built by bison.
 *
 * The lexer (lexer.l) does the context-dependent work: it knows whether it
 * is reading attach points, a predicate or an action block, and it turns
 * the '/' around a predicate and the '<' '>' around an angle block into
 * tokens of their own (PRED_OPEN, PRED_CLOSE, ANGLE_OPEN, ANGLE_CLOSE). The
 * grammar here is then plain LALR(1) with C precedence and no conflicts.
 *
 * Locations are byte spans (struct span). Every syntax error goes to the
 * diagnostics; `error` rules at the statement, predicate and probe level
 * let one run report several of them.
 *
 * All nodes live in the tree's arena, so no %destructor is needed.
 */
%code requires {
#include "ast.h"

/* A node list under construction: O(1) append. */
struct nlist {
	struct ast_node *head, *tail;
};

/* A type name: the type, and whether it was an explicit-width name
 * (int8 ... uint64), to which 'unsigned' cannot apply. */
struct tyname {
	struct ty ty;
	bool fixed;
};

/* The scanner's extra data, shared by lexer.l, parser.y and ast.c. */
struct lex_state {
	struct ast *ast;
	struct diags *d;
	const struct source *src;
	uint32_t pos;    /* byte offset of the next character to scan */
	int paren;       /* open ( and [ in the current predicate or block */
	int brace;       /* open { in the current block */
	bool angle;      /* the current block is < ... > */
	uint32_t angle_close_end; /* just past the last '>' that closed a < > block */
	struct ast_node *last_probe; /* tail of ast->probes */
};
}

%define api.pure full
%define api.location.type {struct span}
%locations
%define parse.error detailed
%define parse.lac full
%expect 0
%param {void *scanner}

%union {
	struct ast_node *node;
	struct nlist list;
	char *str;
	int64_t num;
	enum ast_op op;
	struct tyname tyname;
}

%code {
#include "lexer.h"

#define YYLLOC_DEFAULT(cur, rhs, n) do {                       \
	if (n) {                                                \
		(cur).start = YYRHSLOC(rhs, 1).start;           \
		(cur).end = YYRHSLOC(rhs, n).end;               \
	} else {                                                \
		(cur).start = (cur).end = YYRHSLOC(rhs, 0).end; \
	}                                                       \
} while (0)

#define AST (((struct lex_state *)yyget_extra(scanner))->ast)

static void yyerror(struct span *loc, void *scanner, const char *msg)
{
	struct lex_state *ls = yyget_extra(scanner);
	const char *p = "syntax error, ";

	/* bison says "syntax error, unexpected X, expecting Y"; the word
	 * "error:" is already printed, so keep "unexpected X, expecting Y". */
	if (!strncmp(msg, p, strlen(p)))
		msg += strlen(p);
	if (!strcmp(msg, "memory exhausted")) { /* bison's stack limit, YYMAXDEPTH */
		diag_error(ls->d, *loc, "the program is nested too deeply to parse");
		diag_hint(ls->d, "split the expression up with variables ($a = ...;)");
		return;
	}
	diag_error(ls->d, *loc, "%s", msg);
	/* an error on the line after a '>' that ended a line: that '>' closed
	 * the block; the user probably meant greater-than */
	if (ls->angle_close_end && loc->start >= ls->angle_close_end) {
		const char *t = ls->src->text;
		uint32_t i = ls->angle_close_end, newlines = 0;

		for (; i < loc->start; i++)
			newlines += t[i] == '\n';
		if (newlines == 1)
			diag_hint(ls->d, "the '>' at the end of the line before closed the < > block; "
					 "wrap a comparison that ends a line in parentheses: (a > b)");
	}
}

static struct nlist list1(struct ast_node *n)
{
	return (struct nlist){ n, n };
}

static struct nlist append(struct nlist l, struct ast_node *n)
{
	if (!n)
		return l;
	if (!l.head)
		return list1(n);
	l.tail->next = n;
	l.tail = n;
	return l;
}

static struct ast_node *mk(struct ast *ast, enum ast_kind kind, struct span sp,
			   struct ast_node *lhs, struct ast_node *rhs)
{
	struct ast_node *n = ast_node(ast, kind, sp);

	n->lhs = lhs;
	n->rhs = rhs;
	return n;
}

static struct ast_node *mk_op(struct ast *ast, enum ast_kind kind, enum ast_op op, struct span sp,
			      struct ast_node *lhs, struct ast_node *rhs)
{
	struct ast_node *n = mk(ast, kind, sp, lhs, rhs);

	n->op = op;
	return n;
}

static struct ast_node *mk_named(struct ast *ast, enum ast_kind kind, struct span sp, char *name,
				 struct ast_node *args)
{
	struct ast_node *n = ast_node(ast, kind, sp);

	n->name = name;
	n->args = args;
	return n;
}

static struct ast_node *mk_cast(struct ast *ast, enum ast_kind kind, struct span sp, struct ty ty,
				struct ast_node *lhs)
{
	struct ast_node *n = mk(ast, kind, sp, lhs, NULL);

	n->cast_ty = ty;
	return n;
}

static struct ast_node *mk_incdec(struct ast *ast, struct span sp, enum ast_op op, bool post,
				  struct ast_node *lhs)
{
	struct ast_node *n = mk_op(ast, AST_INCDEC, op, sp, lhs, NULL);

	n->is_post = post;
	return n;
}

static struct ast_node *mk_cond(struct ast *ast, enum ast_kind kind, struct span sp,
				struct ast_node *cond, struct ast_node *then, struct ast_node *els)
{
	struct ast_node *n = ast_node(ast, kind, sp);

	n->cond = cond;
	n->then = then;
	n->els = els;
	return n;
}

static struct ast_node *mk_body(struct ast *ast, enum ast_kind kind, struct span sp,
				struct ast_node *cond, struct ast_node *body)
{
	struct ast_node *n = ast_node(ast, kind, sp);

	n->cond = cond;
	n->body = body;
	return n;
}

static struct ast_node *mk_probe(struct ast *ast, struct span sp, struct ast_node *attach,
				 struct ast_node *pred, struct ast_node *body)
{
	struct ast_node *n = ast_node(ast, AST_PROBE, sp);

	n->attach = attach;
	n->pred = pred;
	n->body = body;
	n->angle = body && body->angle;
	return n;
}

static struct ast_node *mk_block(struct ast *ast, struct span sp, struct nlist stmts, bool angle)
{
	struct ast_node *n = ast_node(ast, AST_BLOCK, sp);

	n->body = stmts.head;
	n->angle = angle; /* passed up to the probe by mk_probe() */
	return n;
}

static struct ast_node *mk_field(struct ast *ast, struct span sp, struct ast_node *lhs, char *name,
				 bool arrow)
{
	struct ast_node *n = mk_named(ast, AST_FIELD, sp, name, NULL);

	n->lhs = lhs;
	n->is_arrow = arrow;
	return n;
}

static struct ast_node *mk_posparam(struct ast *ast, struct span sp, int64_t num)
{
	struct ast_node *n = ast_node(ast, AST_POSPARAM, sp);

	n->ival = num;
	return n;
}

static struct ast_node *mk_var(struct ast *ast, struct span sp, char *name)
{
	return mk_named(ast, AST_VAR, sp, name, NULL);
}

static struct ast_node *mk_unroll(struct ast *ast, struct span sp, struct ast_node *count,
				  struct ast_node *body)
{
	struct ast_node *n = mk_body(ast, AST_UNROLL, sp, NULL, body);

	n->ival = count->ival;
	return n;
}

/* for ($kv : @m) { ... }: name is the variable, lhs the map */
static struct ast_node *mk_for(struct ast *ast, struct span sp, char *var, struct ast_node *map,
			       struct ast_node *body)
{
	struct ast_node *n = mk_body(ast, AST_FOR, sp, NULL, body);

	n->name = var;
	n->lhs = map;
	return n;
}

static struct ast_node *mk_decl(struct ast *ast, struct span sp, char *map, char *kind, int64_t size)
{
	struct ast_node *n = ast_node(ast, AST_MAPDECL, sp);

	n->name = map;
	n->sval = kind;
	n->ival = size;
	return n;
}

static void add_decl(void *scanner, struct ast_node *decl)
{
	struct lex_state *ls = yyget_extra(scanner);
	struct ast_node **tail = &ls->ast->decls;

	while (*tail)
		tail = &(*tail)->next;
	*tail = decl;
}

static void add_probe(void *scanner, struct ast_node *probe)
{
	struct lex_state *ls = yyget_extra(scanner);

	if (ls->last_probe)
		ls->last_probe->next = probe;
	else
		ls->ast->probes = probe;
	ls->last_probe = probe;
}

static struct ty mk_unsigned(void *scanner, struct span sp, struct tyname t)
{
	struct lex_state *ls = yyget_extra(scanner);

	if (t.fixed)
		diag_error(ls->d, sp, "'unsigned' cannot be combined with an explicit-width type");
	t.ty.is_signed = false;
	return t.ty;
}
}

%token END 0 "end of file"
%token <node> INT "integer" STRING "string" ATTACH "attach point"
%token <str> IDENT "identifier" VAR "variable" MAP "map"
%token <num> POSPARAM "positional parameter"
%token POSCOUNT "'$#'"
%token PRED_OPEN "'/' (start of predicate)" PRED_CLOSE "'/' (end of predicate)"
%token ANGLE_OPEN "'<' (start of block)" ANGLE_CLOSE "'>' (end of block)"
%token <op> OPASSIGN "compound assignment"
%token ARROW "'->'" INC "'++'" DEC "'--'"
%token LAND "'&&'" LOR "'||'" EQ "'=='" NE "'!='" LE "'<='" GE "'>='" SHL "'<<'" SHR "'>>'"
%token IF "'if'" ELSE "'else'" WHILE "'while'" UNROLL "'unroll'" RETURN "'return'"
%token FOR "'for'" BREAK "'break'" CONTINUE "'continue'"
%token <tyname> TYPE "type name"
%token UNSIGNED "'unsigned'"
%token LET "'let'"

%right '?' ':'
%left LOR
%left LAND
%left '|'
%left '^'
%left '&'
%left EQ NE
%left '<' '>' LE GE
%left SHL SHR
%left '+' '-'
%left '*' '/' '%'
%precedence UNARY

%type <node> decl probe pred body block simple_stmt block_stmt if_stmt else_opt
%type <node> expr postfix primary map lvalue
%type <list> attach_list stmts stmt_seq args arglist
%type <num> incdec
%type <tyname> type

%%

program:
	%empty
|	program probe           { add_probe(scanner, $2); }
|	program decl            { add_decl(scanner, $2); }
|	program error           /* skip tokens up to the next attach point */
;

/* decl: 'let' MAP '=' IDENT '(' INT? ')' ';'   (map kind and size) */
decl:
	LET MAP '=' IDENT '(' INT ')' ';' { $$ = mk_decl(AST, @$, $2, $4, $6->ival); }
|	LET MAP '=' IDENT '(' ')' ';'     { $$ = mk_decl(AST, @$, $2, $4, 0); }
;

/* probe: attach (',' attach)* pred? body */
probe:
	attach_list pred body   { $$ = mk_probe(AST, @$, $1.head, $2, $3); }
;

attach_list:
	ATTACH                  { $$ = list1($1); }
|	attach_list ',' ATTACH  { $$ = append($1, $3); }
;

/* pred: '/' expr '/'. The lexer ends a predicate at the first '/' outside
 * parentheses, so a division inside a predicate must be parenthesised:
 * /(a / b) > 1/. */
pred:
	%empty                          { $$ = NULL; }
|	PRED_OPEN expr PRED_CLOSE       { $$ = $2; }
|	PRED_OPEN error PRED_CLOSE      { $$ = NULL; }
|	PRED_OPEN error                 { $$ = NULL; } /* the block follows */
;

/* body: '{' stmts '}' | '<' stmts '>' */
body:
	block
|	ANGLE_OPEN stmts ANGLE_CLOSE    { $$ = mk_block(AST, @$, $2, true); }
;

block:
	'{' stmts '}'                   { $$ = mk_block(AST, @$, $2, false); }
;

/* stmts: (simple ';' | block_stmt | ';')* simple?
 * ';' separates statements; it is optional after the last one and after
 * if/while/unroll blocks. */
stmts:
	stmt_seq
|	stmt_seq simple_stmt            { $$ = append($1, $2); }
|	stmt_seq error                  /* an error in the last statement */
;

stmt_seq:
	%empty                          { $$ = (struct nlist){ NULL, NULL }; }
|	stmt_seq simple_stmt ';'        { $$ = append($1, $2); }
|	stmt_seq block_stmt             { $$ = append($1, $2); }
|	stmt_seq ';'
|	stmt_seq error ';'              { yyerrok; } /* ';' is a safe point to resume */
;

simple_stmt:
	lvalue '=' expr                 { $$ = mk_op(AST, AST_ASSIGN, OP_ASSIGN, @$, $1, $3); }
|	lvalue OPASSIGN expr            { $$ = mk_op(AST, AST_ASSIGN, $2, @$, $1, $3); }
|	lvalue incdec                   { $$ = mk_incdec(AST, @$, $2, true, $1); }
|	incdec lvalue                   { $$ = mk_incdec(AST, @$, $1, false, $2); }
|	RETURN                          { $$ = ast_node(AST, AST_RETURN, @$); }
|	BREAK                           { $$ = ast_node(AST, AST_BREAK, @$); }
|	CONTINUE                        { $$ = ast_node(AST, AST_CONTINUE, @$); }
|	expr                            { $$ = mk(AST, AST_EXPR_STMT, @$, $1, NULL); }
;

incdec:
	INC                             { $$ = OP_INC; }
|	DEC                             { $$ = OP_DEC; }
;

lvalue:
	map
|	VAR                             { $$ = mk_var(AST, @$, $1); }
;

block_stmt:
	if_stmt
|	WHILE '(' expr ')' block        { $$ = mk_body(AST, AST_WHILE, @$, $3, $5); }
|	UNROLL '(' INT ')' block        { $$ = mk_unroll(AST, @$, $3, $5); }
|	FOR '(' VAR ':' map ')' block   { $$ = mk_for(AST, @$, $3, $5, $7); }
;

/* if_stmt: 'if' '(' expr ')' block ('else' (block | if_stmt))? */
if_stmt:
	IF '(' expr ')' block else_opt  { $$ = mk_cond(AST, AST_IF, @$, $3, $5, $6); }
;

else_opt:
	%empty                          { $$ = NULL; }
|	ELSE block                      { $$ = $2; }
|	ELSE if_stmt                    { $$ = $2; }
;

expr:
	postfix
|	map
|	expr '?' expr ':' expr          { $$ = mk_cond(AST, AST_TERNARY, @$, $1, $3, $5); }
|	expr LOR expr                   { $$ = mk_op(AST, AST_BINOP, OP_LOR, @$, $1, $3); }
|	expr LAND expr                  { $$ = mk_op(AST, AST_BINOP, OP_LAND, @$, $1, $3); }
|	expr '|' expr                   { $$ = mk_op(AST, AST_BINOP, OP_BOR, @$, $1, $3); }
|	expr '^' expr                   { $$ = mk_op(AST, AST_BINOP, OP_BXOR, @$, $1, $3); }
|	expr '&' expr                   { $$ = mk_op(AST, AST_BINOP, OP_BAND, @$, $1, $3); }
|	expr EQ expr                    { $$ = mk_op(AST, AST_BINOP, OP_EQ, @$, $1, $3); }
|	expr NE expr                    { $$ = mk_op(AST, AST_BINOP, OP_NE, @$, $1, $3); }
|	expr '<' expr                   { $$ = mk_op(AST, AST_BINOP, OP_LT, @$, $1, $3); }
|	expr '>' expr                   { $$ = mk_op(AST, AST_BINOP, OP_GT, @$, $1, $3); }
|	expr LE expr                    { $$ = mk_op(AST, AST_BINOP, OP_LE, @$, $1, $3); }
|	expr GE expr                    { $$ = mk_op(AST, AST_BINOP, OP_GE, @$, $1, $3); }
|	expr SHL expr                   { $$ = mk_op(AST, AST_BINOP, OP_SHL, @$, $1, $3); }
|	expr SHR expr                   { $$ = mk_op(AST, AST_BINOP, OP_SHR, @$, $1, $3); }
|	expr '+' expr                   { $$ = mk_op(AST, AST_BINOP, OP_ADD, @$, $1, $3); }
|	expr '-' expr                   { $$ = mk_op(AST, AST_BINOP, OP_SUB, @$, $1, $3); }
|	expr '*' expr                   { $$ = mk_op(AST, AST_BINOP, OP_MUL, @$, $1, $3); }
|	expr '/' expr                   { $$ = mk_op(AST, AST_BINOP, OP_DIV, @$, $1, $3); }
|	expr '%' expr                   { $$ = mk_op(AST, AST_BINOP, OP_MOD, @$, $1, $3); }
|	'-' expr %prec UNARY            { $$ = mk_op(AST, AST_UNOP, OP_SUB, @$, $2, NULL); }
|	'~' expr %prec UNARY            { $$ = mk_op(AST, AST_UNOP, OP_BNOT, @$, $2, NULL); }
|	'!' expr %prec UNARY            { $$ = mk_op(AST, AST_UNOP, OP_LNOT, @$, $2, NULL); }
|	'*' expr %prec UNARY            { $$ = mk_cast(AST, AST_DEREF, @$, (struct ty){ 0 }, $2); }
|	'*' '(' type '*' ')' expr %prec UNARY { $$ = mk_cast(AST, AST_DEREF, @$, $3.ty, $6); }
|	'(' type ')' expr %prec UNARY   { $$ = mk_cast(AST, AST_CAST, @$, $2.ty, $4); }
;

/* type: int8 ... uint64 | ['unsigned'] (char | short | int | long) */
type:
	TYPE
|	UNSIGNED TYPE                   { $$ = (struct tyname){ mk_unsigned(scanner, @$, $2), false }; }
;

/* Maps are not postfix expressions: @m[k] is always a map lookup. */
map:
	MAP                             { $$ = mk_named(AST, AST_MAP, @$, $1, NULL); }
|	MAP '[' arglist ']'             { $$ = mk_named(AST, AST_MAP, @$, $1, $3.head); }
;

postfix:
	primary
|	postfix '[' expr ']'            { $$ = mk(AST, AST_INDEX, @$, $1, $3); }
|	postfix '.' IDENT               { $$ = mk_field(AST, @$, $1, $3, false); }
|	postfix '.' INT                 { $$ = mk_field(AST, @$, $1, $3->name, false); } /* $kv.0 */
|	postfix ARROW IDENT             { $$ = mk_field(AST, @$, $1, $3, true); }
;

primary:
	INT
|	STRING
|	IDENT                           { $$ = mk_named(AST, AST_IDENT, @$, $1, NULL); }
|	IDENT '(' args ')'              { $$ = mk_named(AST, AST_CALL, @$, $1, $3.head); }
|	VAR                             { $$ = mk_var(AST, @$, $1); }
|	POSPARAM                        { $$ = mk_posparam(AST, @$, $1); }
|	POSCOUNT                        { $$ = ast_node(AST, AST_POSCOUNT, @$); }
|	'(' expr ')'                    { $$ = $2; }
;

args:
	%empty                          { $$ = (struct nlist){ NULL, NULL }; }
|	arglist
;

arglist:
	expr                            { $$ = list1($1); }
|	arglist ',' expr                { $$ = append($1, $3); }
;

%%
