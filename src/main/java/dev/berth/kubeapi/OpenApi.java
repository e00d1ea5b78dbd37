package dev.berth.kubeapi;

/** The OpenAPI documents ({@code /openapi/v2}, {@code /openapi/v3}). */
final class OpenApi {
    private final Resources resources;

    OpenApi(Resources resources) {
        this.resources = resources;
    }

    ApiReply serve(String path, ApiRequest request) {
        throw ApiError.notFoundPath(path);
    }
}
