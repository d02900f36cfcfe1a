/* per_isa.h — compile the template named by PER_ISA_BODY once per
 * instruction set, each inside its own `#pragma GCC target` region, with
 * WB_SUFFIX (function-name suffix: avx512, avx2, generic), WB_VBYTES
 * (vector bytes) and WB_RB / WB_CB (GEMM register block rows / columns)
 * set.  Defines NS_PER_ISA_X86 when the AVX variants exist (GCC, x86-64);
 * callers pick one at run time with __builtin_cpu_supports. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define NS_PER_ISA_X86 1

#pragma GCC push_options
#pragma GCC target ("avx512f")
#define WB_SUFFIX avx512
#define WB_VBYTES 64
#define WB_RB 8
#define WB_CB 32
#include PER_ISA_BODY
#undef WB_SUFFIX
#undef WB_VBYTES
#undef WB_RB
#undef WB_CB
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target ("avx2,fma")
#define WB_SUFFIX avx2
#define WB_VBYTES 32
#define WB_RB 4
#define WB_CB 16
#include PER_ISA_BODY
#undef WB_SUFFIX
#undef WB_VBYTES
#undef WB_RB
#undef WB_CB
#pragma GCC pop_options
#endif

#define WB_SUFFIX generic
#define WB_VBYTES 16
#define WB_RB 4
#define WB_CB 8
#include PER_ISA_BODY
#undef WB_SUFFIX
#undef WB_VBYTES
#undef WB_RB
#undef WB_CB
