// What pages the on-call person: one action group (an email), a standard availability test on
// /api/health, and one alert per way the app can quietly stop doing its job. docs/operations.md
// has a section for each alert below (tests/unit/test_runbook.py keeps both lists in step): what
// it means, which data it reads, and how to fix it.
//
// The log alerts query the Application Insights component (its classic tables: traces, requests,
// customMetrics), which the app fills through OpenTelemetry: the metric names are those of
// shared/services/metrics.py, the log events those of docs/architecture.md, "Telemetry".

@description('Azure region of the availability test and the log alerts.')
param location string

@description('Tags for the resources.')
param tags object

@description('Name of the Application Insights component the app reports to.')
param applicationInsightsName string

@minLength(3)
@description('Email address of the on-call person or team the alerts go to.')
param alertEmail string

@description('The health URL the availability test calls, e.g. https://func-x.azurewebsites.net/api/health.')
param healthUrl string

@description('Prefix of the alert and test names (unique in the resource group).')
param namePrefix string

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource onCall 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: '${namePrefix}-on-call'
  location: 'Global'
  tags: tags
  properties: {
    groupShortName: 'leads-oncall' // at most 12 characters: the sender name of SMS and email
    enabled: true
    emailReceivers: [
      {
        name: 'on-call'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

// Five regions, every 5 minutes, 30 s to answer (health answers within 2 s, also when storage
// hangs: then 503). The platform's own health check is not used: during a storage outage it would
// take every instance out at once.
resource healthTest 'Microsoft.Insights/webtests@2022-06-15' = {
  name: '${namePrefix}-health'
  location: location
  kind: 'standard'
  tags: union(tags, {
    'hidden-link:${applicationInsights.id}': 'Resource'
  })
  properties: {
    SyntheticMonitorId: '${namePrefix}-health'
    Name: 'GET /api/health'
    Description: 'The app answers 200 when every required dependency (tables, queues, blobs) answers.'
    Enabled: true
    Frequency: 300
    Timeout: 30
    Kind: 'standard'
    RetryEnabled: true
    Locations: [
      {
        Id: 'us-va-ash-azr' // East US
      }
      {
        Id: 'us-ca-sjc-azr' // West US
      }
      {
        Id: 'emea-nl-ams-azr' // West Europe
      }
      { Id: 'emea-gb-db3-azr' } // North Europe
      {
        Id: 'apac-sg-sin-azr' // Southeast Asia
      }
    ]
    Request: {
      RequestUrl: healthUrl
      HttpVerb: 'GET'
      ParseDependentRequests: false
      FollowRedirects: false
    }
    ValidationRules: {
      ExpectedHttpStatusCode: 200
      SSLCheck: true
      SSLCertRemainingLifetimeCheck: 7
    }
  }
}

resource healthFailing 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: '${namePrefix}-health-failing'
  location: 'global'
  tags: tags
  properties: {
    description: 'The availability test of /api/health fails from 2 or more of its 5 locations. Runbook: docs/operations.md, "health-failing".'
    severity: 1
    enabled: true
    scopes: [
      healthTest.id
      applicationInsights.id
    ]
    evaluationFrequency: 'PT1M'
    windowSize: 'PT5M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.WebtestLocationAvailabilityCriteria'
      webTestId: healthTest.id
      componentId: applicationInsights.id
      failedLocationCount: 2
    }
    autoMitigate: true
    actions: [
      {
        actionGroupId: onCall.id
      }
    ]
  }
}

// Each log alert: a query whose one row holds a number; above the threshold, the alert fires.
var logAlerts = [
  {
    name: 'poison-messages'
    severity: 2
    description: 'A poison queue holds messages: work that failed every attempt and waits for an operator.'
    // watch_queues logs this every 5 minutes while a poison queue holds anything.
    query: 'traces | where tostring(customDimensions.event) == "queue.poison" or message startswith "Poison queue " | summarize found = count()'
    measure: 'found'
    window: 'PT10M'
  }
  {
    name: 'delivery-quarantined'
    severity: 2
    description: 'A marketplace delivery was quarantined: it was received but could not become a lead.'
    query: 'customMetrics | where name == "leads.deliveries.quarantined" | summarize found = sum(valueSum)'
    measure: 'found'
    window: 'PT15M'
  }
  {
    name: 'notifications-failed'
    severity: 2
    description: 'Notifications failed: SendGrid refused them, or kept failing for QUEUE_RETRY_GIVE_UP_HOURS.'
    query: 'customMetrics | where name == "leads.notifications.completed" and tostring(customDimensions.outcome) == "Failed" | summarize found = sum(valueSum)'
    measure: 'found'
    window: 'PT15M'
  }
  {
    name: 'intake-5xx'
    severity: 1
    description: 'The intake routes answered 5xx: the marketplace or vendor staff could not hand leads over.'
    query: 'requests | where url has "/api/intake/" and toint(resultCode) >= 500 | summarize found = count()'
    measure: 'found'
    window: 'PT5M'
  }
  {
    name: 'webhook-disabled'
    severity: 3
    description: 'A partner\'s webhook subscription was disabled after failing deliveries.'
    query: 'union (customMetrics | where name == "leads.webhooks.deliveries" and tostring(customDimensions.outcome) == "Disabled" | project n = valueSum), (traces | where tostring(customDimensions.event) == "webhook.disabled" | project n = 1.0) | summarize found = sum(n)'
    measure: 'found'
    window: 'PT15M'
  }
]

resource logAlert 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [
  for alert in logAlerts: {
    name: '${namePrefix}-${alert.name}'
    location: location
    tags: tags
    kind: 'LogAlert'
    properties: {
      displayName: '${namePrefix}-${alert.name}'
      description: '${alert.description} Runbook: docs/operations.md, "${alert.name}".'
      severity: alert.severity
      enabled: true
      scopes: [
        applicationInsights.id
      ]
      evaluationFrequency: 'PT5M'
      windowSize: alert.window
      criteria: {
        allOf: [
          {
            query: alert.query
            timeAggregation: 'Total'
            metricMeasureColumn: alert.measure
            operator: 'GreaterThan'
            threshold: 0
            failingPeriods: {
              numberOfEvaluationPeriods: 1
              minFailingPeriodsToAlert: 1
            }
          }
        ]
      }
      autoMitigate: true
      actions: {
        actionGroups: [
          onCall.id
        ]
      }
    }
  }
]

output actionGroupName string = onCall.name
output availabilityTestName string = healthTest.name
