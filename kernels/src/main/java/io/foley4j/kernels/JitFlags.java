package io.foley4j.kernels;

import java.lang.management.ManagementFactory;

/**
 * The HotSpot flag the speed of the large vector kernels depends on, read at run time so that a Java API user who
 * starts the JVM without it hears about it once ({@link #warnIfLow}, called from {@link MatmulTiles}'s class load).
 *
 * <p>{@code -XX:PerMethodRecompilationCutoff}: while C2 parses a method it adds up the decompile counts of every
 * method it inlines, once per inlined call site; at {@code PerMethodRecompilationCutoff / 2 + 1} (201 with the default
 * 400) it stops speculating for the rest of that compile wherever a trap of the same kind has been seen, and emits
 * virtual calls where it would have checked the class once. The GEMM micro-kernel {@link MatmulTiles#tileWide}
 * inlines about 50 segment accesses and 24 fmas of JDK code, so decompile counts of 1-2 in a few JDK methods (left by
 * earlier deoptimizations anywhere in the JVM) reach the cutoff: the compile log then shows
 * {@code <observe trap='class_check' ... mdecompiles='203'/>} and virtual calls to the accumulators' {@code byteSize}
 * and {@code vspecies}, which need the accumulators as heap objects, and every packed GEMM runs 3.5-15x slower for the
 * life of the JVM (3 of 6 full benchmark runs in session 12; {@code -XX:PerMethodRecompilationCutoff=40} reproduces
 * it in every run). bin/foley and the build pass {@value #RECOMMENDED}.
 */
public final class JitFlags {
    private JitFlags() {}

    /** The flag's name. */
    public static final String CUTOFF = "PerMethodRecompilationCutoff";
    /** The value bin/foley and the build pass. */
    public static final long RECOMMENDED = 100_000;

    /**
     * The flag's value in this JVM as text, or null where it cannot be read (not HotSpot, or no
     * {@code jdk.management} module).
     */
    public static String cutoff() {
        try {
            return ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
                    .getVMOption(CUTOFF).getValue();
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }

    /**
     * Null when the flag is at least {@value #RECOMMENDED} (or -1, HotSpot's "no cutoff") or cannot be read, else a
     * one-line warning naming the flag, its value and the fix.
     */
    static String warning(String value) {
        if (value == null) return null;
        long v;
        try {
            v = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return null;
        }
        if (v < 0 || v >= RECOMMENDED) return null;
        return "foley4j: -XX:" + CUTOFF + "=" + v + " in this JVM: C2 can then compile the GEMM micro-kernels with"
                + " their vectors on the heap (3.5-15x slower) in some JVM runs; start the JVM with -XX:" + CUTOFF + "="
                + RECOMMENDED + " (bin/foley does; see README, Configuration)";
    }

    /** One line for reports: the flag and its value. */
    public static String report() {
        String v = cutoff();
        return CUTOFF + "=" + (v == null ? "unknown" : v) + (warning(v) == null ? "" : " (below " + RECOMMENDED + ")");
    }

    /** Logs {@link #warning} (System.Logger, WARNING) when there is one; called once, from a class initializer. */
    static void warnIfLow() {
        String w = warning(cutoff());
        if (w != null) {
            System.getLogger(JitFlags.class.getName()).log(System.Logger.Level.WARNING, w);
        }
    }
}
