package io.syncline.schedule;

/** Why a run failed, as reported in runs, sync status and the failure webhook. */
public class RunFailure extends RuntimeException {

    private final String type;

    public RunFailure(String type, String description) {
        super(description, null, false, false);
        this.type = type;
    }

    public String type() {
        return type;
    }
}
