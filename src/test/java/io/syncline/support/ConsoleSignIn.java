package io.syncline.support;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.response.Response;

/** Signs in to the console as a browser does: the form first (its token and cookie), then the post. */
public final class ConsoleSignIn {

    private ConsoleSignIn() {
    }

    public static Response post(String apiKey, String next) {
        Response form = given().get("/console/login");
        String token = form.asString().replaceAll("(?s).*name=\"login_token\" value=\"([^\"]+)\".*", "$1");
        var req = given().redirects().follow(false).contentType(ContentType.URLENC)
                .cookie("syncline_login", form.getCookie("syncline_login")).formParam("login_token", token);
        if (apiKey != null) {
            req.formParam("api_key", apiKey);
        }
        if (next != null) {
            req.formParam("next", next);
        }
        return req.post("/console/login");
    }
}
