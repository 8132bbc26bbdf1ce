#!/bin/bash
# Boot script of the webstack MVP backend: Docker runs the app, nginx fronts it on port 80.
# It reads the app's endpoints from SSM Parameter Store at every start (they appear 10-20 minutes
# after the instance boots, once RDS and ElastiCache exist), and passes secret ARNs, never secret
# values, to the container. EC2 runs it once, at the first boot: a changed script replaces the
# instance (see server.py).
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

cat > /etc/nginx/conf.d/webstack.conf <<'NGINX'
server {
    listen 80 default_server;
    server_tokens off;
    location = /nginx-health { access_log off; return 200 "ok\n"; }
    location / {
        proxy_pass http://127.0.0.1:8080;
        proxy_set_header Host $$host;
        proxy_set_header X-Forwarded-For $$proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $$scheme;
    }
}
NGINX

cat > /usr/local/bin/webstack-app <<'APP'
#!/bin/bash
set -euo pipefail
param() {
    aws ssm get-parameter --region "${region}" --name "${parameter_path}/$$1" \
        --query Parameter.Value --output text
}
# Wait until every parameter exists: a failing $$(...) inside the docker arguments would not
# stop the script, and the app would start with empty endpoints.
until DB_HOST=$$(param database/endpoint) && DB_NAME=$$(param database/name) \
        && DB_SECRET_ARN=$$(param database/secret-arn) && REDIS_HOST=$$(param cache/endpoint) \
        && REDIS_AUTH_SECRET_ARN=$$(param cache/auth-secret-arn); do
    echo "waiting for the app's parameters under ${parameter_path}" >&2
    sleep 30
done
docker rm -f app >/dev/null 2>&1 || true
exec docker run --name app -p 127.0.0.1:8080:${app_port} \
    --log-driver awslogs --log-opt awslogs-region="${region}" \
    --log-opt awslogs-group="${log_group}" \
    -e AWS_REGION="${region}" \
    -e DB_HOST="$$DB_HOST" -e DB_NAME="$$DB_NAME" -e DB_SECRET_ARN="$$DB_SECRET_ARN" \
    -e REDIS_HOST="$$REDIS_HOST" -e REDIS_TLS=true \
    -e REDIS_AUTH_SECRET_ARN="$$REDIS_AUTH_SECRET_ARN" \
    "${app_image}"
APP
chmod 755 /usr/local/bin/webstack-app

cat > /etc/systemd/system/webstack-app.service <<'UNIT'
[Unit]
Description=webstack backend container
After=docker.service network-online.target
Requires=docker.service

[Service]
ExecStart=/usr/local/bin/webstack-app
Restart=always
RestartSec=30

[Install]
WantedBy=multi-user.target
UNIT

systemctl daemon-reload
systemctl enable --now webstack-app nginx
