package dev.berth.kubeapi;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.engine.Berth;
import java.util.List;
import java.util.function.Consumer;

/**
 * The Kubernetes API's requests, whatever serves them: a client without a certificate gets 401;
 * {@code /version}, health and discovery are answered here; OpenAPI by {@link OpenApi}; a resource
 * URL goes to {@link Objects}, which holds the verbs. Every error leaves as a {@code Status}.
 */
final class KubeApi implements AutoCloseable {
    private final Resources resources = new Resources();
    private final Discovery discovery = new Discovery(resources);
    private final ObjectStore store;
    private final Objects objects;
    private final OpenApi openApi;
    private final Consumer<String> log;
    private volatile int port;

    KubeApi(Berth berth, dev.berth.reconcile.PlayOptions play, Consumer<String> log, Runnable played) {
        this.log = log;
        this.store = new ObjectStore(berth.state());
        this.objects = new Objects(berth, resources, store, play, log, played);
        this.openApi = new OpenApi(resources);
    }

    /** Once listening: the objects every cluster has, and the engine's live state. */
    void start() {
        objects.start();
    }

    void port(int port) {
        this.port = port;
    }

    ApiReply handle(ApiRequest request) {
        try {
            if (request.user() == null) {
                throw ApiError.unauthorized();
            }
            return route(request);
        } catch (ApiError e) {
            return ApiReply.json(e.code(), ObjectStore.write(e.status()));
        } catch (RuntimeException e) {
            log.accept(request.method() + " " + request.path() + ": " + e);
            ApiError error = e instanceof dev.berth.api.BerthException b && b.kind() == dev.berth.api.BerthException.Kind.INVALID_INPUT
                    ? ApiError.badRequest(e.getMessage()) : ApiError.internal(String.valueOf(e.getMessage()));
            return ApiReply.json(error.code(), ObjectStore.write(error.status()));
        }
    }

    private ApiReply route(ApiRequest request) {
        String path = request.path().length() > 1 && request.path().endsWith("/") ? request.path().substring(0, request.path().length() - 1) : request.path();
        switch (path) {
            case "/version":
                return ok(Discovery.version());
            case "/healthz", "/livez", "/readyz":
                return new ApiReply(200, "text/plain; charset=utf-8", "ok".getBytes(java.nio.charset.StandardCharsets.UTF_8), null, List.of());
            case "/api":
                return request.accept() != null && request.accept().contains("as=APIGroupDiscoveryList")
                        ? aggregated(discovery.aggregated(true)) : ok(discovery.coreVersions(port));
            case "/apis":
                return request.accept() != null && request.accept().contains("as=APIGroupDiscoveryList")
                        ? aggregated(discovery.aggregated(false)) : ok(discovery.groups());
            case "/api/v1":
                return ok(discovery.resourceList("", "v1"));
            default:
                break;
        }
        if (path.startsWith("/openapi/")) {
            return openApi.serve(path, request);
        }
        String[] parts = path.split("/");
        if (parts.length == 3 && parts[1].equals("apis")) {
            List<String> versions = resources.groups().get(parts[2]);
            if (versions != null) {
                return ok(discovery.group(parts[2], versions));
            }
        }
        if (parts.length == 4 && parts[1].equals("apis") && resources.groups().getOrDefault(parts[2], List.of()).contains(parts[3])) {
            return ok(discovery.resourceList(parts[2], parts[3]));
        }
        ApiPath target = ApiPath.parse(path);
        if (target == null) {
            throw ApiError.notFoundPath(path);
        }
        Resource resource = resources.find(target.group(), target.version(), target.plural()).orElseThrow(() -> ApiError.notFoundPath(path));
        return objects.handle(request, target, resource);
    }

    private static ApiReply ok(ObjectNode document) {
        return ApiReply.json(200, ObjectStore.write(document));
    }

    private static ApiReply aggregated(ObjectNode document) {
        return new ApiReply(200, Discovery.AGGREGATED, ObjectStore.write(document).getBytes(java.nio.charset.StandardCharsets.UTF_8), null, List.of());
    }

    @Override
    public void close() {
        objects.close();
        store.wakeAll();
    }
}
