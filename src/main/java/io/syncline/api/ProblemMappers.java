package io.syncline.api;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.syncline.http.Problem;
import io.syncline.http.ProblemException;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every error from a REST resource becomes problem+json; a 500 never carries internals. */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    public static Response response(Problem p) {
        return Response.status(p.status()).type(Problem.MEDIA_TYPE).entity(p).build();
    }

    @ServerExceptionMapper
    public Response problem(ProblemException e) {
        return response(e.problem());
    }

    /** The form reader's own refusal (a plain RuntimeException) of a form with too many fields: the client's doing. */
    static boolean tooManyFormFields(Exception e) {
        StackTraceElement[] at = e.getStackTrace();
        return e.getClass() == RuntimeException.class && e.getMessage() != null
                && e.getMessage().startsWith("Param limit of") && at.length > 0
                && at[0].getClassName().startsWith("org.jboss.resteasy.reactive.server.core.multipart.");
    }

    @ServerExceptionMapper
    public Response mismatched(MismatchedInputException e) {
        String field = e.getPath().isEmpty() ? null : e.getPath().get(e.getPath().size() - 1).getFieldName();
        return response(Problem.of(400, "bad-request", "Bad request",
                field == null ? "the body does not have the expected shape: " + e.getOriginalMessage()
                        : "field '" + field + "' has the wrong type: " + e.getOriginalMessage()));
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e) {
        String where = e.getLocation() == null ? ""
                : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
        return response(Problem.of(400, "bad-request", "Bad request",
                "the body is not valid JSON: " + e.getOriginalMessage() + where));
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        if (status >= 500) {
            LOG.error("request failed", e);
            return response(Problem.of(status, "internal-error", "Internal error", "the request could not be completed"));
        }
        Response.Status known = Response.Status.fromStatusCode(status);
        String title = known == null ? "Error" : known.getReasonPhrase();
        return response(Problem.of(status, title.toLowerCase().replace(' ', '-'), title,
                e.getMessage() == null ? title : e.getMessage()));
    }

    @ServerExceptionMapper
    public Response unexpected(Exception e) {
        if (tooManyFormFields(e)) {
            return response(Problem.of(413, "too-many-fields", "Payload too large",
                    "a form may have at most 1000 fields"));
        }
        LOG.error("request failed", e);
        return response(Problem.of(500, "internal-error", "Internal error", "the request could not be completed"));
    }
}
