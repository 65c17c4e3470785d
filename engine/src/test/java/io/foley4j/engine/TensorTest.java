package io.foley4j.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.foley4j.kernels.Fp16;
import io.foley4j.kernels.Mem;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;

class TensorTest {

    @Test
    void slicesAndViewsShareStorage() {
        try (Arena arena = Arena.ofConfined()) {
            float[] v = new float[24];
            for (int i = 0; i < v.length; i++) v[i] = i;
            Tensor t = Tensor.ofFloats(arena, v, 2, 3, 4);
            Tensor s = t.slice(1, 2);
            assertArrayEquals(new int[] {1, 3, 4}, s.shape());
            assertEquals(12f, s.toFloats()[0]);
            Tensor r = t.row(1).view(12);
            Mem.setF32(r.data(), 0, -1f);
            assertEquals(-1f, t.toFloats()[12], "a view writes through to its parent");
            assertThrows(IllegalArgumentException.class, () -> t.view(5, 5));
            assertThrows(IllegalArgumentException.class, () -> t.slice(1, 3));
        }
    }

    @Test
    void heapTensorsWork() {
        float[] values = {1, 2, 3, 4, 5, 6};
        Tensor t = Tensor.ofHeap(values, 2, 3);
        assertArrayEquals(new float[] {4, 5, 6}, t.row(1).toFloats());
        // kernels see one segment class only: heap storage is copied off-heap, not shared
        assertTrue(Mem.isPlainNative(t.data()), t.data().getClass().getName());
        values[0] = 42;
        assertEquals(1f, t.toFloats()[0]);
    }

    @Test
    void quantizedSliceCarriesItsScales() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor q = Tensor.allocate(arena, DType.I8_BLOCK32, 3, 40); // 2 blocks per row
            assertEquals(3 * 2 * 4, q.scales().byteSize());
            for (int r = 0; r < 3; r++) {
                for (int b = 0; b < 2; b++) q.scales().set(Mem.F32, (r * 2 + b) * 4L, r + 1 + b * 10);
                for (int c = 0; c < 40; c++) q.data().set(Mem.I8, r * 40L + c, (byte) 1);
            }
            Tensor s = q.slice(2, 3);
            float[] f = s.toFloats();
            assertEquals(3f, f[0]);
            assertEquals(13f, f[39]);
        }
    }

    @Test
    void rejectsWrongStorageSize() {
        try (Arena arena = Arena.ofConfined()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Tensor.of(DType.F32, arena.allocate(10), 3));
            assertTrue(e.getMessage().contains("12"), e.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> Tensor.of(DType.I8_ROW, arena.allocate(6), 2, 3)); // scales missing
        }
    }

    @Test
    void halfPrecisionRoundTrips() {
        assertEquals(1.5f, Fp16.f16ToF32(Fp16.f32ToF16(1.5f)));
        assertEquals(1.0f, Fp16.bf16ToF32(Fp16.f32ToBf16(1.0f)));
        // round to nearest even: 1 + 2^-8 is halfway between two bf16 values and rounds down to 1.0
        assertEquals(1.0f, Fp16.bf16ToF32(Fp16.f32ToBf16(1.0f + 0x1p-8f)));
        assertEquals(1.0f + 0x1p-7f, Fp16.bf16ToF32(Fp16.f32ToBf16(1.0f + 0x1.8p-8f)));
        assertTrue(Float.isNaN(Fp16.bf16ToF32(Fp16.f32ToBf16(Float.NaN))));
    }
}
