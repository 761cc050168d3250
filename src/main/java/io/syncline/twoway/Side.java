package io.syncline.twoway;

/** The two sides of a two-way sync: your app, and the connected (remote) app. */
public enum Side {
    app, remote;

    public Side other() {
        return this == app ? remote : app;
    }
}
