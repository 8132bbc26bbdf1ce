#!/bin/bash
# Boot script of the webstack MVP backend: Docker runs the app, nginx fronts it on port 80.
# It reads the app's endpoints from SSM Parameter Store at every start (they may appear after the
# instance boots), and passes secret ARNs, never secret values, to the container.
set -euo pipefail

dnf install -y docker nginx
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
docker rm -f app >/dev/null 2>&1 || true
exec docker run --name app -p 127.0.0.1:8080:${app_port} \
    --log-driver awslogs --log-opt awslogs-region="${region}" \
    --log-opt awslogs-group="${log_group}" \
    -e AWS_REGION="${region}" \
    -e DB_HOST="$$(param database/endpoint)" -e DB_NAME="$$(param database/name)" \
    -e DB_SECRET_ARN="$$(param database/secret-arn)" \
    -e REDIS_HOST="$$(param cache/endpoint)" -e REDIS_TLS=true \
    -e REDIS_AUTH_SECRET_ARN="$$(param cache/auth-secret-arn)" \
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
