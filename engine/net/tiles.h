/* tiles.h — the geometry of the exact tiled evaluation (issue 18): the
 * tile grid, the halo each tile needs and which feature positions of each
 * tapped layer a tile owns.
 *
 * Every tile owns a core rectangle of the image; the cores partition it.
 * A core's origin is a multiple of the network's total stride S (product of
 * the strides up to the deepest tap), so a tile's pooling and stride grids
 * coincide with the untiled network's.  The tile is evaluated on core +
 * halo, clipped at the image border (where the untiled network's own zero
 * padding applies, so the tile sees the same padding there), and the halo
 * is at least the receptive-field reach of the deepest tap: an output o of
 * a chain of windows (k_i, s_i, p_i) reads the input interval
 *     [o·J − P, o·J − P + R − 1],  J = Π s_i,  P = Σ p_i·J_i,
 *     R = 1 + Σ (k_i − 1)·J_i       (J_i: the stride before layer i),
 * so the first core output needs P pixels before the core and the last
 * R − J − P after it.  Then every core feature of every tap is computed
 * from real pixels only (no tile-border padding inside its cone) and equals
 * the untiled feature.  The halo is max(P, R − J − P) over the taps, rounded
 * up to a multiple of S: VGG-19/16 up to relu5_2 86 -> 96 px, SqueezeNet
 * 1.1 up to fire7 71 -> 80 px (a Fire module counts as its 3x3 expand).
 * Derived from the architecture table; graph architectures are refused.
 */
#ifndef NS_TILES_H
#define NS_TILES_H

#include "model.h"

/* One axis of a tile: core [c0, c1), extended (core + halo, clipped) [e0, e1). */
typedef struct
{
  int c0, c1, e0, e1;
} NsTileSpan;

typedef struct
{
  NsTileSpan y, x;
} NsTile;

typedef struct NsTileGeom NsTileGeom;

/* The geometry of `arch` for these taps (layer names); NULL with an error
 * for graph architectures. */
NsTileGeom *ns_tile_geom_new  (NsArch arch, const char *const *taps, int n_taps,
                               GError **error);
void        ns_tile_geom_free (NsTileGeom *g);
int         ns_tile_stride    (const NsTileGeom *g);   /* S */
int         ns_tile_halo      (const NsTileGeom *g);   /* derived halo, a multiple of S */
/* Length of tap t's map along an axis of `side` input positions. */
int         ns_tile_tap_len   (const NsTileGeom *g, int t, int side);
/* The grid over a W x H image: as few cores of at most `core` (rounded up
 * to a multiple of S) per axis as cover it, equal up to S, each extended by
 * `halo` (rounded up to a multiple of S) and clipped.  Sorted by extended
 * size, so that tiles of one size run one after the other. g_free it. */
NsTile     *ns_tile_grid      (const NsTileGeom *g, int W, int H, int core, int halo, int *n);
/* Largest extended side of a grid's tiles along an axis of `side`. */
int         ns_tile_max_extent (const NsTileGeom *g, int side, int core, int halo);
/* The positions of tap t's map that tile span s owns, in the tile's own
 * map: [*l0, *l1); side: the image's length on that axis.  The owned
 * positions of all tiles partition the untiled map; *g0 = global index of l0. */
void        ns_tile_owned     (const NsTileGeom *g, int t, const NsTileSpan *s, int side,
                               int *l0, int *l1, int *g0);

#endif
