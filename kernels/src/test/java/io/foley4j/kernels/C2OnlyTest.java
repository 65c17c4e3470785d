package io.foley4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The run-time compiler directive that keeps C1 off the 12x2 GEMM tile, and the tile choice that depends on it. */
@Tag("simd")
class C2OnlyTest {
    static int probe(int x) {
        return x * 31 + 7;
    }

    @Test
    void hotSpotAcceptsTheDirective() {
        assertTrue(C2Only.exclude("io.foley4j.kernels.C2OnlyTest::probe"), "directive refused: " + C2Only.failure);
        assertNull(C2Only.failure);
    }

    @Test
    void aPatternTheJvmRefusesIsReportedNotThrown() {
        // HotSpot's directive parser refuses a slash-separated package with "::"
        assertFalse(C2Only.exclude("io/foley4j/kernels/C2OnlyTest::probe"));
        assertNotNull(C2Only.failure);
        assertTrue(C2Only.failure.contains("compiler directives"), C2Only.failure);
    }

    /**
     * The tile the GEMM runs: the forced one, else 12x2 exactly at 16 float lanes (so at 16 lanes the directive
     * worked, or auto would have fallen back to 4x4).
     */
    @Test
    void sixteenLanesTakeTheWideTile() {
        String forced = System.getProperty(MatmulTiles.TILE_PROPERTY);
        boolean want = forced != null ? forced.equals("12x2") : Simd.F.length() == 16 && !Simd.SCALAR;
        assertEquals(want, MatmulTiles.WIDE, MatmulTiles.TILE);
    }
}
