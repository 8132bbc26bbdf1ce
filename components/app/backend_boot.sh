#!/bin/bash
# Boot script of the webstack MVP backend: Docker runs each service, nginx routes their paths.
# Each service's container reads the app's endpoints from SSM Parameter Store at every start (they
# appear 10-20 minutes after the instance boots, once RDS and ElastiCache exist) and its secrets'
# values from Secrets Manager or SSM (never in this script, which holds only their ARNs). EC2 runs
# this once, at the first boot: a changed script replaces the
# instance (see server.py). Rendered by components/app/server_boot.py.
set -euo pipefail

# The instance may boot before its Elastic IP is associated: until then it has no route to the
# package mirrors, so installs are retried.
retry() {
    local attempt
    for attempt in $$(seq 1 30); do
        "$$@" && return 0
        echo "attempt $$attempt of '$$*' failed; retrying in 10 s" >&2
        sleep 10
    done
    return 1
}
retry dnf install -y docker nginx
systemctl enable --now docker
# One network: a service reaches another by its name. On one host it admits every call between
# them; the scaled tier admits only each service's dependsOn, with security groups.
docker network inspect webstack >/dev/null 2>&1 || docker network create webstack

cat > /etc/nginx/conf.d/webstack.conf <<'NGINX'
${nginx_conf}
NGINX

cat > /usr/local/bin/webstack-run <<'RUN'
#!/bin/bash
# webstack-run SERVICE: runs the service's container in the foreground (systemd restarts it).
set -euo pipefail
param() {
    aws ssm get-parameter --region "${region}" --name "${parameter_path}/$$1" \
        --query Parameter.Value --output text
}
# A Secrets Manager secret's value, or an SSM parameter's (decrypted), by ARN, from the ARN's
# region: what ECS injects as a container secret in the scaled tier.
secret() {
    local region
    region=$$(cut -d: -f4 <<<"$$1")
    case "$$1" in
        arn:*:ssm:*) aws ssm get-parameter --region "$$region" --with-decryption --name "$$1" \
            --query Parameter.Value --output text ;;
        *) aws secretsmanager get-secret-value --region "$$region" --secret-id "$$1" \
            --query SecretString --output text ;;
    esac
}
# Wait until every parameter exists: a failing $$(...) inside the docker arguments would not
# stop the script, and the app would start with empty endpoints.
until DATABASE_HOST=$$(param database/endpoint) && DATABASE_NAME=$$(param database/name) \
        && DATABASE_SECRET_ARN=$$(param database/secret-arn) && REDIS_HOST=$$(param cache/endpoint) \
        && REDIS_AUTH_SECRET_ARN=$$(param cache/auth-secret-arn) \
        && REDIS_AUTH_TOKEN=$$(secret "$$REDIS_AUTH_SECRET_ARN"); do
    echo "waiting for the app's parameters under ${parameter_path}" >&2
    sleep 30
done
# The scaled tier's names and meanings, so an app moves between tiers unchanged; the token's
# value travels in the environment, never on a command line.
export REDIS_AUTH_TOKEN
common=(--network webstack --log-driver awslogs --log-opt awslogs-region="${region}"
    --log-opt awslogs-group="${log_group}" -e AWS_REGION="${region}"
    -e DATABASE_HOST="$$DATABASE_HOST" -e DATABASE_READER_HOST="$$DATABASE_HOST"
    -e DATABASE_NAME="$$DATABASE_NAME" -e DATABASE_PORT=5432
    -e DATABASE_SECRET_ARN="$$DATABASE_SECRET_ARN" -e REDIS_HOST="$$REDIS_HOST" -e REDIS_PORT=6379
    -e REDIS_TLS=true -e REDIS_AUTH_TOKEN)
docker rm -f "$$1" >/dev/null 2>&1 || true
case "$$1" in
${service_cases}
    *) echo "webstack-run: no service '$$1'" >&2; exit 64 ;;
esac
RUN
chmod 755 /usr/local/bin/webstack-run

# Docker marks a container unhealthy but restarts nothing: systemd restarts its unit.
cat > /usr/local/bin/webstack-health <<'HEALTH'
#!/bin/bash
while sleep 30; do
    for name in $$(docker ps --filter health=unhealthy --filter label=webstack.service \
            --format '{{.Names}}'); do
        echo "$$name is unhealthy; restarting webstack@$$name" >&2
        systemctl restart "webstack@$$name"
    done
done
HEALTH
chmod 755 /usr/local/bin/webstack-health

cat > /etc/systemd/system/webstack@.service <<'UNIT'
[Unit]
Description=webstack service %i (a container)
After=docker.service network-online.target
Requires=docker.service

[Service]
ExecStart=/usr/local/bin/webstack-run %i
Restart=always
RestartSec=30

[Install]
WantedBy=multi-user.target
UNIT

cat > /etc/systemd/system/webstack-health.service <<'UNIT'
[Unit]
Description=webstack: restarts the services Docker finds unhealthy
After=docker.service
Requires=docker.service

[Service]
ExecStart=/usr/local/bin/webstack-health
Restart=always

[Install]
WantedBy=multi-user.target
UNIT

systemctl daemon-reload
systemctl enable --now ${service_units} webstack-health nginx
