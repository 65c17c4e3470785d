package io.foley4j.kernels;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The one place the SIMD path is chosen, once per JVM.
 *
 * <p>System property {@code foley4j.simd}: {@code auto} (default: the platform's preferred width),
 * {@code scalar} (every op runs its scalar reference), or {@code 128}, {@code 256}, {@code 512} to force a
 * vector width, so one machine can test and benchmark every path (128 bits is the width ARM NEON gives).
 * The species are {@code static final} so the JIT treats them as constants; a width cannot change inside a
 * running JVM, which is why the tests run once per width in separate JVMs.
 */
public final class Simd {
    private Simd() {}

    public static final String PROPERTY = "foley4j.simd";

    /** True when every op must run its scalar reference. */
    public static final boolean SCALAR;
    /** Vector width in bits (the preferred width when {@link #SCALAR}, for reporting only). */
    public static final int BITS;

    public static final VectorSpecies<Float> F;
    public static final VectorSpecies<Integer> I;
    public static final VectorSpecies<Short> S;
    public static final VectorSpecies<Byte> B;
    /** Species with as many float lanes as {@link #F} for 8-bit and 16-bit loads widened to float. */
    public static final VectorSpecies<Byte> B_FOR_F;
    public static final VectorSpecies<Short> S_FOR_F;

    static {
        String mode = System.getProperty(PROPERTY, "auto").trim().toLowerCase(java.util.Locale.ROOT);
        int preferred = FloatVector.SPECIES_PREFERRED.vectorBitSize();
        int bits;
        boolean scalar = false;
        switch (mode) {
            case "auto", "" -> bits = preferred;
            case "scalar", "0" -> { bits = preferred; scalar = true; }
            case "128", "256", "512" -> bits = Integer.parseInt(mode);
            default -> throw new IllegalArgumentException(
                    "-D" + PROPERTY + "=" + mode + ": expected auto, scalar, 128, 256 or 512");
        }
        if (bits < 128) { // a platform with no usable vector unit
            bits = 128;
            scalar = true;
        }
        SCALAR = scalar;
        BITS = bits;
        VectorShape shape = VectorShape.forBitSize(bits);
        F = FloatVector.SPECIES_PREFERRED.withShape(shape);
        I = IntVector.SPECIES_PREFERRED.withShape(shape);
        S = ShortVector.SPECIES_PREFERRED.withShape(shape);
        B = ByteVector.SPECIES_PREFERRED.withShape(shape);
        int lanes = F.length();
        B_FOR_F = VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, lanes * 8)));
        S_FOR_F = VectorSpecies.of(short.class, VectorShape.forBitSize(Math.max(64, lanes * 16)));
    }

    /** A short description for logs and benchmark reports, e.g. {@code "vector 512-bit (16 float lanes)"}. */
    public static String describe() {
        return SCALAR ? "scalar (preferred vector width " + BITS + " bits)"
                : "vector " + BITS + "-bit (" + F.length() + " float lanes)";
    }

    /** XOR-butterfly shuffles over {@link #F}: level l pairs lane i with lane i ^ (length >> (l + 1)). */
    @SuppressWarnings("unchecked")
    private static final VectorShuffle<Float>[] FOLD = new VectorShuffle[Integer.numberOfTrailingZeros(F.length())];

    static {
        for (int level = 0; level < FOLD.length; level++) {
            int d = F.length() >> (level + 1);
            FOLD[level] = VectorShuffle.fromOp(F, i -> i ^ d);
        }
    }

    /**
     * Sum of the lanes of a {@link #F} vector in a fixed pairwise order. {@code reduceLanes(ADD)} adds in one order
     * when interpreted and another once C2 compiles it, so a result would change with JIT timing (measured: 127 of
     * 200 random 64-float sums differ before and after warm-up); every float reduction in the kernels goes here.
     */
    public static float sum(FloatVector v) {
        for (VectorShuffle<Float> fold : FOLD) {
            v = v.add(v.rearrange(fold));
        }
        return v.lane(0);
    }
}
