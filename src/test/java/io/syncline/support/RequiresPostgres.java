package io.syncline.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * PostgreSQL variants run when 127.0.0.1:5432 answers and are skipped, with one clear line,
 * when it does not. CI starts PostgreSQL first and sets SYNCLINE_REQUIRE_POSTGRES, so there
 * they always run, or fail.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RequiresPostgres.Condition.class)
public @interface RequiresPostgres {

    class Condition implements ExecutionCondition {
        private static final AtomicBoolean WARNED = new AtomicBoolean();
        private static Boolean reachable;

        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            if (reachable()) {
                return ConditionEvaluationResult.enabled("PostgreSQL answers on 127.0.0.1:5432");
            }
            if (System.getenv("SYNCLINE_REQUIRE_POSTGRES") != null) {
                throw new IllegalStateException("SYNCLINE_REQUIRE_POSTGRES is set, but nothing answers on "
                        + "127.0.0.1:5432");
            }
            if (WARNED.compareAndSet(false, true)) {
                System.out.println("SKIPPING the PostgreSQL variants: nothing answers on 127.0.0.1:5432 "
                        + "(start PostgreSQL, or run .ci/run, to include them)");
            }
            return ConditionEvaluationResult.disabled("PostgreSQL is not reachable on 127.0.0.1:5432");
        }

        static synchronized boolean reachable() {
            if (reachable == null) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", 5432), 1000);
                    reachable = true;
                } catch (Exception e) {
                    reachable = false;
                }
            }
            return reachable;
        }
    }
}
