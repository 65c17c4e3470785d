package io.foley4j.pipeline.foley;

/** Receives progress of a generation; called on the generating thread. */
public interface Progress {
    /** A stage begins; {@code total} units of work will follow (0 when not counted). */
    void begin(String stage, int total);

    /** {@code done} of the stage's {@code total} units finished. */
    void step(String stage, int done, int total);

    /** The stage ended after {@code seconds}. */
    void end(String stage, double seconds);

    Progress NONE = new Progress() {
        public void begin(String stage, int total) {}
        public void step(String stage, int done, int total) {}
        public void end(String stage, double seconds) {}
    };
}
