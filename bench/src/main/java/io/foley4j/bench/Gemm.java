package io.foley4j.bench;

/** One prepared GEMM {@code Y[M,N] = A[M,K] x W[N,K]^T}: operands set up once, {@link #run} timed. */
interface Gemm extends AutoCloseable {
    /** Sets A[M,K] (copied into the operand buffer). */
    void setInput(float[] a);

    void run();

    /** Y[M,N] of the last run, as float. */
    float[] output();

    /** Which kernel or graph runs, for the report. */
    String name();

    @Override
    void close();
}
