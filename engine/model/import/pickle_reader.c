/* pickle_reader.c — whitelisting pickle VM for torch state_dicts.
 *
 * The pickle machine (CPython Lib/pickletools.py documents every opcode) is
 * a stack of values plus a stack of MARK positions plus a memo.  We keep the
 * marks as positions into one value stack: a pop may not go below the
 * innermost mark (CPython starts a fresh list at MARK, so the same input is
 * an error there).  Values live in an arena owned by NsPickle, so shared
 * (memoised) and even cyclic structures are freed without recursion.
 */
#include "pickle_reader.h"

#include "neural_style.h"

#include <string.h>

#define MAX_MARK_DEPTH  64        /* a state_dict pickle nests 3 or 4 deep   */
#define MAX_STACK       (1 << 20) /* values on the stack at once             */
#define MAX_GLOBAL_LEN  256

struct NsPickle
{
  GPtrArray *arena;    /* every NsPkValue created */
  GPtrArray *persids;  /* every PERSID value, in creation order (borrowed) */
};

typedef struct
{
  NsPickle     *pk;
  const guint8 *d;
  size_t        len, pos;
  GPtrArray    *stack;   /* NsPkValue* (borrowed from the arena) */
  GArray       *marks;   /* guint stack positions */
  GHashTable   *memo;    /* index -> NsPkValue* */
  GError      **error;
} Vm;

static void
value_free (gpointer p)
{
  NsPkValue *v = p;
  g_free (v->s);
  if (v->items)
    g_ptr_array_unref (v->items);
  if (v->keys)
    g_ptr_array_unref (v->keys);
  if (v->index)
    g_hash_table_destroy (v->index);
  g_free (v);
}

NsPickle *
ns_pickle_new (void)
{
  NsPickle *pk = g_new0 (NsPickle, 1);
  pk->arena = g_ptr_array_new_with_free_func (value_free);
  pk->persids = g_ptr_array_new ();
  return pk;
}

void
ns_pickle_free (NsPickle *pk)
{
  if (!pk)
    return;
  g_ptr_array_unref (pk->persids);
  g_ptr_array_unref (pk->arena);
  g_free (pk);
}

const GPtrArray *
ns_pickle_persistent_ids (const NsPickle *pk)
{
  return pk->persids;
}

const char *
ns_pk_type_name (NsPkType t)
{
  static const char *names[] = { "None", "bool", "int", "int", "float", "str", "tuple",
                                 "list", "dict", "global", "persistent id", "tensor" };
  return (unsigned) t < G_N_ELEMENTS (names) ? names[t] : "?";
}

static NsPkValue *
new_value (NsPickle *pk, NsPkType type)
{
  NsPkValue *v = g_new0 (NsPkValue, 1);
  v->type = type;
  if (type == NS_PK_TUPLE || type == NS_PK_LIST || type == NS_PK_DICT)
    v->items = g_ptr_array_new ();
  if (type == NS_PK_DICT)
    {
      v->keys = g_ptr_array_new ();
      v->index = g_hash_table_new (g_str_hash, g_str_equal);
    }
  g_ptr_array_add (pk->arena, v);
  return v;
}

NsPkValue *
ns_pk_dict_get (const NsPkValue *dict, const char *key)
{
  if (!dict || dict->type != NS_PK_DICT)
    return NULL;
  guint pos = GPOINTER_TO_UINT (g_hash_table_lookup (dict->index, key));
  return pos ? g_ptr_array_index (dict->items, pos - 1) : NULL;
}

/* ------------------------------------------------------------ helpers */

static gboolean
vm_fail (Vm *vm, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

static gboolean
vm_fail (Vm *vm, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  char *s = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (vm->error, NS_ERROR, NS_ERROR_FORMAT, "pickle (byte %zu): %s", vm->pos, s);
  g_free (s);
  return FALSE;
}

static gboolean
take (Vm *vm, size_t n, const guint8 **p)
{
  if (n > vm->len - vm->pos)
    return vm_fail (vm, "truncated (needs %zu more bytes)", n);
  *p = vm->d + vm->pos;
  vm->pos += n;
  return TRUE;
}

static guint
mark_base (Vm *vm)
{
  return vm->marks->len ? g_array_index (vm->marks, guint, vm->marks->len - 1) : 0;
}

static gboolean
push (Vm *vm, NsPkValue *v)
{
  if (vm->stack->len >= MAX_STACK)
    return vm_fail (vm, "stack larger than %d values", MAX_STACK);
  g_ptr_array_add (vm->stack, v);
  return TRUE;
}

static NsPkValue *
pop (Vm *vm)
{
  if (vm->stack->len <= mark_base (vm))
    {
      vm_fail (vm, "stack underflow");
      return NULL;
    }
  NsPkValue *v = g_ptr_array_index (vm->stack, vm->stack->len - 1);
  g_ptr_array_set_size (vm->stack, vm->stack->len - 1);
  return v;
}

static NsPkValue *
top (Vm *vm)
{
  if (vm->stack->len <= mark_base (vm))
    {
      vm_fail (vm, "stack underflow");
      return NULL;
    }
  return g_ptr_array_index (vm->stack, vm->stack->len - 1);
}

/* Pop the innermost mark; *base = where its items start. */
static gboolean
pop_mark (Vm *vm, guint *base)
{
  if (vm->marks->len == 0)
    return vm_fail (vm, "no MARK on the stack");
  *base = mark_base (vm);
  g_array_set_size (vm->marks, vm->marks->len - 1);
  return TRUE;
}

static gboolean
dict_set (Vm *vm, NsPkValue *dict, NsPkValue *key, NsPkValue *value)
{
  if (dict->type != NS_PK_DICT)
    return vm_fail (vm, "SETITEM on a %s", ns_pk_type_name (dict->type));
  if (key->type != NS_PK_STR)
    return vm_fail (vm, "dictionary key is a %s, not a str", ns_pk_type_name (key->type));
  guint pos = GPOINTER_TO_UINT (g_hash_table_lookup (dict->index, key->s));
  if (pos)
    {
      dict->items->pdata[pos - 1] = value;
      return TRUE;
    }
  g_ptr_array_add (dict->keys, key);
  g_ptr_array_add (dict->items, value);
  g_hash_table_insert (dict->index, key->s, GUINT_TO_POINTER (dict->items->len));
  return TRUE;
}

static gboolean
push_string (Vm *vm, size_t n)
{
  const guint8 *p = NULL;
  if (!take (vm, n, &p))
    return FALSE;
  if (!g_utf8_validate ((const char *) p, (gssize) n, NULL))
    return vm_fail (vm, "string is not valid UTF-8 (or contains NUL)");
  NsPkValue *v = new_value (vm->pk, NS_PK_STR);
  v->s = g_strndup ((const char *) p, n);
  v->len = n;
  return push (vm, v);
}

static gboolean
push_int (Vm *vm, gint64 i)
{
  NsPkValue *v = new_value (vm->pk, NS_PK_INT);
  v->i = i;
  return push (vm, v);
}

/* --------------------------------------------------------- globals */

static gboolean
resolve_global (Vm *vm, const char *module, const char *name)
{
  static const struct { const char *module, *name; NsPkGlobal g; } allowed[] = {
    { "collections",  "OrderedDict",         NS_PK_G_ORDERED_DICT },
    { "torch._utils", "_rebuild_tensor_v2",  NS_PK_G_REBUILD_TENSOR_V2 },
    { "torch._utils", "_rebuild_tensor",     NS_PK_G_REBUILD_TENSOR },
    { "torch._utils", "_rebuild_parameter",  NS_PK_G_REBUILD_PARAMETER },
    { "torch",        "FloatStorage",        NS_PK_G_FLOAT_STORAGE },
    { "torch",        "HalfStorage",         NS_PK_G_HALF_STORAGE },
    { "torch",        "BFloat16Storage",     NS_PK_G_BFLOAT16_STORAGE },
    { "torch",        "DoubleStorage",       NS_PK_G_DOUBLE_STORAGE },
    /* storages saved from a GPU carry the torch.cuda type tags */
    { "torch.cuda",   "FloatStorage",        NS_PK_G_FLOAT_STORAGE },
    { "torch.cuda",   "HalfStorage",         NS_PK_G_HALF_STORAGE },
    { "torch.cuda",   "BFloat16Storage",     NS_PK_G_BFLOAT16_STORAGE },
    { "torch.cuda",   "DoubleStorage",       NS_PK_G_DOUBLE_STORAGE },
  };
  for (guint k = 0; k < G_N_ELEMENTS (allowed); k++)
    if (strcmp (module, allowed[k].module) == 0 && strcmp (name, allowed[k].name) == 0)
      {
        NsPkValue *v = new_value (vm->pk, NS_PK_GLOBAL);
        v->global = allowed[k].g;
        v->s = g_strdup_printf ("%s.%s", module, name);
        v->len = strlen (v->s);
        return push (vm, v);
      }
  char *m = g_strescape (module, NULL), *n = g_strescape (name, NULL);
  vm_fail (vm, "refusing forbidden global '%s.%s' (only torch tensor/storage "
           "rebuilders and collections.OrderedDict are allowed)", m, n);
  g_free (m);
  g_free (n);
  return FALSE;
}

/* GLOBAL's argument: "module\nname\n". */
static gboolean
read_line (Vm *vm, char *buf)
{
  for (size_t n = 0;; n++)
    {
      if (vm->pos >= vm->len)
        return vm_fail (vm, "truncated GLOBAL");
      char c = (char) vm->d[vm->pos++];
      if (c == '\n')
        {
          buf[n] = '\0';
          return TRUE;
        }
      if (n + 1 >= MAX_GLOBAL_LEN || c == '\0')
        return vm_fail (vm, "malformed GLOBAL name");
      buf[n] = c;
    }
}

/* --------------------------------------------------------- REDUCE */

static gboolean
as_int (const NsPkValue *v, gint64 *out)
{
  if (v->type != NS_PK_INT)
    return FALSE;
  *out = v->i;
  return TRUE;
}

/* _rebuild_tensor[_v2](storage, storage_offset, size, stride, ...) */
static NsPkValue *
rebuild_tensor (Vm *vm, GPtrArray *args, gboolean v2)
{
  guint need = v2 ? 6 : 4;
  if (args->len != need && !(v2 && args->len == 7))
    {
      vm_fail (vm, "tensor rebuild expects %u arguments, got %u", need, args->len);
      return NULL;
    }
  NsPkValue *storage = args->pdata[0], *size = args->pdata[2], *stride = args->pdata[3];
  NsPkValue *t = new_value (vm->pk, NS_PK_TENSOR);
  if (storage->type != NS_PK_PERSID)
    {
      vm_fail (vm, "tensor storage is a %s, not a persistent id", ns_pk_type_name (storage->type));
      return NULL;
    }
  t->storage = storage;
  if (!as_int (args->pdata[1], &t->offset) || t->offset < 0)
    {
      vm_fail (vm, "tensor storage offset is not a non-negative int");
      return NULL;
    }
  if (size->type != NS_PK_TUPLE || stride->type != NS_PK_TUPLE
      || size->items->len != stride->items->len)
    {
      vm_fail (vm, "tensor size/stride are not tuples of equal length");
      return NULL;
    }
  if (size->items->len > NS_PK_MAX_DIMS)
    {
      vm_fail (vm, "tensor has %u dimensions (at most %d supported)", size->items->len,
               NS_PK_MAX_DIMS);
      return NULL;
    }
  t->ndim = (int) size->items->len;
  for (int k = 0; k < t->ndim; k++)
    if (!as_int (size->items->pdata[k], &t->size[k]) || t->size[k] < 0
        || !as_int (stride->items->pdata[k], &t->stride[k]) || t->stride[k] < 0)
      {
        vm_fail (vm, "tensor size/stride %d is not a non-negative int", k);
        return NULL;
      }
  if (v2 && ((NsPkValue *) args->pdata[4])->type != NS_PK_BOOL)
    {
      vm_fail (vm, "tensor requires_grad is not a bool");
      return NULL;
    }
  return t;
}

static gboolean
reduce (Vm *vm)
{
  NsPkValue *args = pop (vm), *func = args ? pop (vm) : NULL;
  if (!func)
    return FALSE;
  if (func->type != NS_PK_GLOBAL)
    return vm_fail (vm, "REDUCE on a %s", ns_pk_type_name (func->type));
  if (args->type != NS_PK_TUPLE)
    return vm_fail (vm, "REDUCE arguments are a %s, not a tuple", ns_pk_type_name (args->type));
  GPtrArray *a = args->items;
  NsPkValue *r = NULL;
  switch (func->global)
    {
    case NS_PK_G_ORDERED_DICT:
      r = new_value (vm->pk, NS_PK_DICT);
      if (a->len == 1)
        {
          /* Python 2's OrderedDict.__reduce__ passes ([[key, value], ...],) */
          NsPkValue *pairs = a->pdata[0];
          if (pairs->type != NS_PK_LIST)
            return vm_fail (vm, "OrderedDict argument is a %s, not a list",
                            ns_pk_type_name (pairs->type));
          for (guint k = 0; k < pairs->items->len; k++)
            {
              NsPkValue *kv = pairs->items->pdata[k];
              if ((kv->type != NS_PK_LIST && kv->type != NS_PK_TUPLE) || kv->items->len != 2)
                return vm_fail (vm, "OrderedDict item is not a (key, value) pair");
              if (!dict_set (vm, r, kv->items->pdata[0], kv->items->pdata[1]))
                return FALSE;
            }
        }
      else if (a->len != 0)
        return vm_fail (vm, "OrderedDict called with %u arguments", a->len);
      break;
    case NS_PK_G_REBUILD_TENSOR_V2:
    case NS_PK_G_REBUILD_TENSOR:
      r = rebuild_tensor (vm, a, func->global == NS_PK_G_REBUILD_TENSOR_V2);
      if (!r)
        return FALSE;
      break;
    case NS_PK_G_REBUILD_PARAMETER:
      if (a->len != 3 || ((NsPkValue *) a->pdata[0])->type != NS_PK_TENSOR)
        return vm_fail (vm, "_rebuild_parameter expects (tensor, requires_grad, hooks)");
      r = a->pdata[0];
      break;
    default:
      return vm_fail (vm, "'%s' cannot be called", func->s);
    }
  return push (vm, r);
}

/* --------------------------------------------------------- the loop */

static gboolean
memo_put (Vm *vm, guint64 idx)
{
  NsPkValue *v = top (vm);
  if (!v)
    return FALSE;
  if (g_hash_table_size (vm->memo) >= MAX_STACK && !g_hash_table_contains (vm->memo, GUINT_TO_POINTER ((guint) idx)))
    return vm_fail (vm, "memo larger than %d values", MAX_STACK);
  g_hash_table_insert (vm->memo, GUINT_TO_POINTER ((guint) idx), v);
  return TRUE;
}

static gboolean
memo_get (Vm *vm, guint64 idx)
{
  NsPkValue *v = g_hash_table_lookup (vm->memo, GUINT_TO_POINTER ((guint) idx));
  if (!v)
    return vm_fail (vm, "memo index %" G_GUINT64_FORMAT " is out of range (never stored)", idx);
  return push (vm, v);
}

static gboolean
step (Vm *vm, guint8 op, gboolean *stop)
{
  const guint8 *p = NULL;
  NsPkValue *v, *k, *c;
  guint base = 0;

  switch (op)
    {
    case 0x80: /* PROTO */
      if (!take (vm, 1, &p))
        return FALSE;
      if (p[0] < 2 || p[0] > 5)
        return vm_fail (vm, "unsupported pickle protocol %u", p[0]);
      return TRUE;
    case 0x95: /* FRAME: an 8-byte length hint, nothing else */
      return take (vm, 8, &p);
    case '.':  /* STOP */
      *stop = TRUE;
      return TRUE;
    case '(':  /* MARK */
      if (vm->marks->len >= MAX_MARK_DEPTH)
        return vm_fail (vm, "MARK nesting deeper than %d", MAX_MARK_DEPTH);
      g_array_append_val (vm->marks, vm->stack->len);
      return TRUE;
    case '}': return push (vm, new_value (vm->pk, NS_PK_DICT));
    case ']': return push (vm, new_value (vm->pk, NS_PK_LIST));
    case ')': return push (vm, new_value (vm->pk, NS_PK_TUPLE));
    case 'N': return push (vm, new_value (vm->pk, NS_PK_NONE));
    case 0x88: /* NEWTRUE */
    case 0x89: /* NEWFALSE */
      v = new_value (vm->pk, NS_PK_BOOL);
      v->i = op == 0x88;
      return push (vm, v);
    case 'J':  /* BININT: signed 32-bit LE */
      if (!take (vm, 4, &p))
        return FALSE;
      return push_int (vm, (gint32) ((guint32) p[0] | (guint32) p[1] << 8
                                     | (guint32) p[2] << 16 | (guint32) p[3] << 24));
    case 'K':  /* BININT1 */
      if (!take (vm, 1, &p))
        return FALSE;
      return push_int (vm, p[0]);
    case 'M':  /* BININT2 */
      if (!take (vm, 2, &p))
        return FALSE;
      return push_int (vm, p[0] | p[1] << 8);
    case 0x8a: /* LONG1: n bytes of little-endian two's complement */
      {
        if (!take (vm, 1, &p))
          return FALSE;
        size_t n = p[0];
        if (!take (vm, n, &p))
          return FALSE;
        if (n > 8)
          {
            v = new_value (vm->pk, NS_PK_BIGINT);
            v->s = g_malloc (n + 1);
            memcpy (v->s, p, n);
            v->s[n] = '\0';
            v->len = n;
            return push (vm, v);
          }
        guint64 u = 0;
        for (size_t b = 0; b < n; b++)
          u |= (guint64) p[b] << (8 * b);
        if (n > 0 && n < 8 && (p[n - 1] & 0x80))
          u |= ~(guint64) 0 << (8 * n);          /* sign-extend */
        return push_int (vm, (gint64) u);
      }
    case 'G':  /* BINFLOAT: big-endian IEEE double */
      {
        if (!take (vm, 8, &p))
          return FALSE;
        guint64 u = 0;
        for (int b = 0; b < 8; b++)
          u = (u << 8) | p[b];
        v = new_value (vm->pk, NS_PK_FLOAT);
        memcpy (&v->f, &u, sizeof v->f);
        return push (vm, v);
      }
    case 'X':  /* BINUNICODE: u32 length */
    case 'T':  /* BINSTRING (Python 2 str): s32 length */
      if (!take (vm, 4, &p))
        return FALSE;
      {
        guint32 n = (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16
                    | (guint32) p[3] << 24;
        if (op == 'T' && n > G_MAXINT32)
          return vm_fail (vm, "negative string length");
        return push_string (vm, n);
      }
    case 0x8c: /* SHORT_BINUNICODE */
    case 'U':  /* SHORT_BINSTRING */
      if (!take (vm, 1, &p))
        return FALSE;
      return push_string (vm, p[0]);
    case 't':  /* TUPLE */
      if (!pop_mark (vm, &base))
        return FALSE;
      v = new_value (vm->pk, NS_PK_TUPLE);
      for (guint i = base; i < vm->stack->len; i++)
        g_ptr_array_add (v->items, vm->stack->pdata[i]);
      g_ptr_array_set_size (vm->stack, base);
      return push (vm, v);
    case 0x85: /* TUPLE1..3 */
    case 0x86:
    case 0x87:
      {
        guint n = op - 0x84;
        NsPkValue *it[3];
        for (guint i = n; i-- > 0;)
          if (!(it[i] = pop (vm)))
            return FALSE;
        v = new_value (vm->pk, NS_PK_TUPLE);
        for (guint i = 0; i < n; i++)
          g_ptr_array_add (v->items, it[i]);
        return push (vm, v);
      }
    case 'a':  /* APPEND */
      if (!(v = pop (vm)) || !(c = top (vm)))
        return FALSE;
      if (c->type != NS_PK_LIST)
        return vm_fail (vm, "APPEND to a %s", ns_pk_type_name (c->type));
      g_ptr_array_add (c->items, v);
      return TRUE;
    case 'e':  /* APPENDS */
      if (!pop_mark (vm, &base))
        return FALSE;
      if (base <= mark_base (vm))
        return vm_fail (vm, "stack underflow");
      c = vm->stack->pdata[base - 1];
      if (c->type != NS_PK_LIST)
        return vm_fail (vm, "APPENDS to a %s", ns_pk_type_name (c->type));
      for (guint i = base; i < vm->stack->len; i++)
        g_ptr_array_add (c->items, vm->stack->pdata[i]);
      g_ptr_array_set_size (vm->stack, base);
      return TRUE;
    case 's':  /* SETITEM */
      if (!(v = pop (vm)) || !(k = pop (vm)) || !(c = top (vm)))
        return FALSE;
      return dict_set (vm, c, k, v);
    case 'u':  /* SETITEMS */
      if (!pop_mark (vm, &base))
        return FALSE;
      if (base <= mark_base (vm))
        return vm_fail (vm, "stack underflow");
      if ((vm->stack->len - base) % 2)
        return vm_fail (vm, "SETITEMS with an odd number of values");
      c = vm->stack->pdata[base - 1];
      for (guint i = base; i < vm->stack->len; i += 2)
        if (!dict_set (vm, c, vm->stack->pdata[i], vm->stack->pdata[i + 1]))
          return FALSE;
      g_ptr_array_set_size (vm->stack, base);
      return TRUE;
    case 'q':  /* BINPUT */
      if (!take (vm, 1, &p))
        return FALSE;
      return memo_put (vm, p[0]);
    case 'r':  /* LONG_BINPUT */
      if (!take (vm, 4, &p))
        return FALSE;
      return memo_put (vm, (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16
                           | (guint32) p[3] << 24);
    case 0x94: /* MEMOIZE */
      return memo_put (vm, g_hash_table_size (vm->memo));
    case 'h':  /* BINGET */
      if (!take (vm, 1, &p))
        return FALSE;
      return memo_get (vm, p[0]);
    case 'j':  /* LONG_BINGET */
      if (!take (vm, 4, &p))
        return FALSE;
      return memo_get (vm, (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16
                           | (guint32) p[3] << 24);
    case 'c':  /* GLOBAL "module\nname\n" */
      {
        char module[MAX_GLOBAL_LEN], name[MAX_GLOBAL_LEN];
        if (!read_line (vm, module) || !read_line (vm, name))
          return FALSE;
        return resolve_global (vm, module, name);
      }
    case 0x93: /* STACK_GLOBAL */
      if (!(v = pop (vm)) || !(k = pop (vm)))
        return FALSE;
      if (v->type != NS_PK_STR || k->type != NS_PK_STR)
        return vm_fail (vm, "STACK_GLOBAL needs two strings");
      return resolve_global (vm, k->s, v->s);
    case 'R':  /* REDUCE */
      return reduce (vm);
    case 'b':  /* BUILD: only OrderedDict's attribute dict (torch's _metadata) */
      if (!(v = pop (vm)) || !(c = top (vm)))
        return FALSE;
      if (c->type != NS_PK_DICT)
        return vm_fail (vm, "BUILD on a %s", ns_pk_type_name (c->type));
      return TRUE;
    case 'Q':  /* BINPERSID */
      if (!(v = pop (vm)))
        return FALSE;
      if (v->type != NS_PK_TUPLE)
        return vm_fail (vm, "persistent id is a %s, not a tuple", ns_pk_type_name (v->type));
      c = new_value (vm->pk, NS_PK_PERSID);
      c->pid = v;
      g_ptr_array_add (vm->pk->persids, c);
      return push (vm, c);
    case '0':  /* POP */
      return pop (vm) != NULL;
    case '1':  /* POP_MARK */
      if (!pop_mark (vm, &base))
        return FALSE;
      g_ptr_array_set_size (vm->stack, base);
      return TRUE;
    default:
      vm->pos--;
      return vm_fail (vm, "unsupported opcode 0x%02x", op);
    }
}

NsPkValue *
ns_pickle_load (NsPickle *pk, const guint8 *data, size_t len, size_t *consumed,
                GError **error)
{
  Vm vm = { pk, data, len, 0, g_ptr_array_new (), g_array_new (FALSE, FALSE, sizeof (guint)),
            g_hash_table_new (g_direct_hash, g_direct_equal), error };
  NsPkValue *result = NULL;
  gboolean stop = FALSE;
  while (!stop)
    {
      if (vm.pos >= vm.len)
        {
          vm_fail (&vm, "truncated (no STOP opcode)");
          goto out;
        }
      guint8 op = vm.d[vm.pos++];
      if (!step (&vm, op, &stop))
        goto out;
    }
  result = pop (&vm);
  if (result && consumed)
    *consumed = vm.pos;
out:
  g_ptr_array_unref (vm.stack);
  g_array_unref (vm.marks);
  g_hash_table_destroy (vm.memo);
  return result;
}
